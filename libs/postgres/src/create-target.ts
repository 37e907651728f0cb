import { inTransaction, run, runAll, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { createTablePlan, type CreateTableOptions, type SourceTableDefinition } from '@ferry/type-map';
import { relationExists } from './catalog';

export interface CreatedTarget {
  /** False when another run created it first. */
  created: boolean;
  droppedDefaults: { column: string; default: string }[];
}

/** One lock for every creation on the database, held until the creating transaction ends. */
export const lockTargetCreation = (): Statement => statement(`SELECT pg_advisory_xact_lock(hashtext('ferry create target'))`);

/**
 * Creates a missing target from the source's definition (the type map's plan), in one
 * transaction under one advisory lock for all creations on this database: concurrent runs of
 * one new target (or of many new targets in one new schema) create it once, and the others
 * find it. A run that fails later leaves the created, empty table behind; the next run finds
 * it and loads it like any existing target.
 */
export async function createTarget(
  session: Session,
  table: QualifiedName,
  definition: SourceTableDefinition,
  options: CreateTableOptions,
): Promise<CreatedTarget> {
  const plan = createTablePlan(table, definition, options);
  return inTransaction(session, async (tx) => {
    await run(tx, lockTargetCreation());
    // Found: another run created it; committing nothing releases the lock.
    if (await relationExists(tx, table)) return { created: false, droppedDefaults: [] };
    await runAll(
      tx,
      plan.statements.map((text) => statement(text)),
    );
    return { created: true, droppedDefaults: plan.droppedDefaults };
  });
}
