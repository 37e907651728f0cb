import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { runColumnsTableFor } from './names';

// The columns a run loads, recorded by prepare once it holds the target's lease, so that a
// part's load input names the run instead of carrying every column: the input is stored in
// workflow history once per part, and a 400-column table's names alone are several KB. One row
// per target (one run per target at a time), overwritten by the next run.

const table = (schema: string) => quoteQualified(runColumnsTableFor(schema));

export const createRunColumnsTable = (schema: string): Statement =>
  statement(`CREATE TABLE IF NOT EXISTS ${table(schema)} (target text PRIMARY KEY, run_id text NOT NULL, columns text[] NOT NULL)`);

export const recordRunColumns = (schema: string, target: QualifiedName, runId: string, columns: string[]): Statement =>
  statement(`INSERT INTO ${table(schema)} (target, run_id, columns) VALUES ($1, $2, $3) ON CONFLICT (target) DO UPDATE SET run_id = $2, columns = $3`, [
    quoteQualified(target),
    runId,
    columns,
  ]);

export const selectRunColumns = (schema: string, target: QualifiedName, runId: string): Statement =>
  statement(`SELECT columns FROM ${table(schema)} WHERE target = $1 AND run_id = $2`, [quoteQualified(target), runId]);

/** The run's columns; none when another run of the target has recorded its own since. */
export async function readRunColumns(session: Session, schema: string, target: QualifiedName, runId: string): Promise<string[] | undefined> {
  return (await run<{ columns: string[] }>(session, selectRunColumns(schema, target, runId))).rows[0]?.columns;
}
