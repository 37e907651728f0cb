import type { Client } from 'pg';
import { quoteQualified, type QualifiedName } from '@ferry/sql';
import { loadedColumnsTableFor } from './staging';

// Which source columns the last successful run of each target loaded: how ferry tells a
// column removed from the source from a column the target simply has of its own.

const table = (schema: string) => quoteQualified(loadedColumnsTableFor(schema));

export function createLoadedColumnsTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${table(schema)} (target text PRIMARY KEY, columns text[] NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`;
}

export async function readLoadedColumns(client: Client, schema: string, target: QualifiedName): Promise<string[] | undefined> {
  const exists = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [table(schema)]);
  if (!exists.rows[0].present) return undefined;
  const res = await client.query<{ columns: string[] }>(`SELECT columns FROM ${table(schema)} WHERE target = $1`, [quoteQualified(target)]);
  return res.rows[0]?.columns;
}

/** In finalize's transaction, so the record changes exactly when the target does. */
export async function recordLoadedColumns(client: Client, schema: string, target: QualifiedName, columns: string[]): Promise<void> {
  await client.query(
    `INSERT INTO ${table(schema)} (target, columns) VALUES ($1, $2) ON CONFLICT (target) DO UPDATE SET columns = EXCLUDED.columns, recorded_at = now()`,
    [quoteQualified(target), columns],
  );
}
