import type { PublishPath } from '@ferry/contract';
import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { publishedTableFor } from './names';

// The last run that published into each target, written in finalize's own transaction: a
// finalize retried after its commit (the worker died before reporting) finds its run here and
// publishes nothing again — an append would otherwise insert every row twice, and a swapped-in
// staging table is no longer there to publish from.

export interface Published {
  rows: number;
  publish: PublishPath;
}

const table = (schema: string) => quoteQualified(publishedTableFor(schema));

export const createPublishedTable = (schema: string): Statement =>
  statement(`CREATE TABLE IF NOT EXISTS ${table(schema)} (
    target text PRIMARY KEY, run_id text NOT NULL, rows bigint NOT NULL, path text NOT NULL, reason text, published_at timestamptz NOT NULL DEFAULT now())`);

export const selectPublished = (schema: string, target: QualifiedName, runId: string): Statement =>
  statement(`SELECT rows, path, reason FROM ${table(schema)} WHERE target = $1 AND run_id = $2`, [quoteQualified(target), runId]);

export const upsertPublished = (schema: string, target: QualifiedName, runId: string, published: Published): Statement =>
  statement(
    `INSERT INTO ${table(schema)} (target, run_id, rows, path, reason) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (target) DO UPDATE SET run_id = EXCLUDED.run_id, rows = EXCLUDED.rows, path = EXCLUDED.path, reason = EXCLUDED.reason, published_at = now()`,
    [quoteQualified(target), runId, published.rows, published.publish.path, published.publish.reason ?? null],
  );

export async function readPublished(session: Session, schema: string, target: QualifiedName, runId: string): Promise<Published | undefined> {
  const { rows } = await run<{ rows: string; path: 'swap' | 'insert'; reason: string | null }>(session, selectPublished(schema, target, runId));
  const row = rows[0];
  if (!row) return undefined;
  return { rows: Number(row.rows), publish: { path: row.path, ...(row.reason !== null && { reason: row.reason }) } };
}
