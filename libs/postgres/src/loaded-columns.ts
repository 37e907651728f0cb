import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { relationExists } from './catalog';
import { loadedColumnsTableFor } from './names';

// Which source columns the last successful run of each target loaded: how ferry tells a
// column removed from the source from a column the target simply has of its own.

const table = (schema: string) => quoteQualified(loadedColumnsTableFor(schema));

export const createLoadedColumnsTable = (schema: string): Statement =>
  statement(`CREATE TABLE IF NOT EXISTS ${table(schema)} (target text PRIMARY KEY, columns text[] NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);

export const selectLoadedColumns = (schema: string, target: QualifiedName): Statement =>
  statement(`SELECT columns FROM ${table(schema)} WHERE target = $1`, [quoteQualified(target)]);

/** In finalize's transaction, so the record changes exactly when the target does. */
export const upsertLoadedColumns = (schema: string, target: QualifiedName, columns: string[]): Statement =>
  statement(
    `INSERT INTO ${table(schema)} (target, columns) VALUES ($1, $2) ON CONFLICT (target) DO UPDATE SET columns = EXCLUDED.columns, recorded_at = now()`,
    [quoteQualified(target), columns],
  );

export async function readLoadedColumns(session: Session, schema: string, target: QualifiedName): Promise<string[] | undefined> {
  if (!(await relationExists(session, loadedColumnsTableFor(schema)))) return undefined;
  return (await run<{ columns: string[] }>(session, selectLoadedColumns(schema, target))).rows[0]?.columns;
}
