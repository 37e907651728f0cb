import type { Client } from 'pg';
import { inTransaction, quoteQualified, type QualifiedName } from '@ferry/sql';
import { createTablePlan, type CreateTableOptions, type SourceTableDefinition } from '@ferry/type-map';

export interface CreatedTarget {
  /** False when another run created it first. */
  created: boolean;
  droppedDefaults: { column: string; default: string }[];
}

/**
 * Creates a missing target from the source's definition, in one transaction under one
 * advisory lock for all creations on this database: concurrent runs of one new target (or
 * of many new targets in one new schema) create it once, and the others find it. A run
 * that fails later leaves the created, empty table behind; the next run finds it and loads
 * it like any existing target.
 */
export async function createTarget(
  client: Client,
  table: QualifiedName,
  definition: SourceTableDefinition,
  options: CreateTableOptions,
): Promise<CreatedTarget> {
  const plan = createTablePlan(table, definition, options);
  return inTransaction(client, async () => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('ferry create target'))`);
    const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [quoteQualified(table)]);
    // Found: another run created it; committing nothing releases the lock.
    if (exists.rows[0].present) return { created: false, droppedDefaults: [] };
    for (const statement of plan.statements) await client.query(statement);
    return { created: true, droppedDefaults: plan.droppedDefaults };
  });
}
