import type { PublishPath, SyncPublished } from '@ferry/contract';
import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { publishedTableFor } from './names';

// The last run that published into each target, written in finalize's own transaction: a
// finalize retried after its commit (the worker died before reporting) finds its run here and
// publishes nothing again — an append would otherwise insert every row twice, and a swapped-in
// staging table is no longer there to publish from.

export interface Published {
  rows: number;
  publish: PublishPath;
  /** mode sync: what the publish wrote and deleted. */
  sync?: SyncPublished;
}

const table = (schema: string) => quoteQualified(publishedTableFor(schema));

export const createPublishedTable = (schema: string): Statement =>
  statement(`CREATE TABLE IF NOT EXISTS ${table(schema)} (
    target text PRIMARY KEY, run_id text NOT NULL, rows bigint NOT NULL, path text NOT NULL, reason text, published_at timestamptz NOT NULL DEFAULT now())`);

/** Added with mode sync: databases prepared by an earlier build get them when the bookkeeping is completed. */
export const addPublishedSyncColumns = (schema: string): Statement =>
  statement(`ALTER TABLE ${table(schema)} ADD COLUMN IF NOT EXISTS rows_written bigint, ADD COLUMN IF NOT EXISTS rows_deleted bigint`);

export const selectPublished = (schema: string, target: QualifiedName, runId: string): Statement =>
  statement(`SELECT rows, path, reason, rows_written, rows_deleted FROM ${table(schema)} WHERE target = $1 AND run_id = $2`, [quoteQualified(target), runId]);

export const upsertPublished = (schema: string, target: QualifiedName, runId: string, published: Published): Statement =>
  statement(
    `INSERT INTO ${table(schema)} (target, run_id, rows, path, reason, rows_written, rows_deleted) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (target) DO UPDATE SET run_id = EXCLUDED.run_id, rows = EXCLUDED.rows, path = EXCLUDED.path, reason = EXCLUDED.reason,
       rows_written = EXCLUDED.rows_written, rows_deleted = EXCLUDED.rows_deleted, published_at = now()`,
    [
      quoteQualified(target),
      runId,
      published.rows,
      published.publish.path,
      published.publish.reason ?? null,
      published.sync?.rowsWritten ?? null,
      published.sync?.rowsDeleted ?? null,
    ],
  );

type PublishedRow = { rows: string; path: 'swap' | 'insert'; reason: string | null; rows_written: string | null; rows_deleted: string | null };

export async function readPublished(session: Session, schema: string, target: QualifiedName, runId: string): Promise<Published | undefined> {
  const row = (await run<PublishedRow>(session, selectPublished(schema, target, runId))).rows[0];
  if (!row) return undefined;
  return {
    rows: Number(row.rows),
    publish: { path: row.path, ...(row.reason !== null && { reason: row.reason }) },
    ...(row.rows_written !== null && { sync: { rowsWritten: Number(row.rows_written), rowsDeleted: Number(row.rows_deleted ?? 0) } }),
  };
}
