import { quoteQualified, statement, type QualifiedName, type Statement } from '@ferry/sql';
import { syncSegmentsTableFor } from './names';

// A sync's differing segments, with the source's row count and hash sum of each as of the
// UNLOAD's snapshot: written by the unload (the list can be long; history keeps only its
// size), read by finalize's publishing transaction, which replaces the target's rows of these
// segments and proves them against these sums. One set per unload attempt; the lease's release
// removes a target's.

const table = (schema: string) => quoteQualified(syncSegmentsTableFor(schema));

export const createSyncSegmentsTable = (schema: string): Statement =>
  statement(`CREATE TABLE IF NOT EXISTS ${table(schema)} (
    target text NOT NULL, run_id text NOT NULL, attempt integer NOT NULL, segment text NOT NULL, rows bigint NOT NULL, sum numeric NOT NULL,
    PRIMARY KEY (target, run_id, attempt, segment))`);

export interface RecordedSegment {
  segment: string;
  rows: number;
  sum: string;
}

/** An attempt's segments replace whatever an earlier try of the same attempt recorded. */
export const forgetSyncSegments = (schema: string, target: QualifiedName, runId: string, attempt: number): Statement =>
  statement(`DELETE FROM ${table(schema)} WHERE target = $1 AND run_id = $2 AND attempt = $3`, [quoteQualified(target), runId, attempt]);

/** One statement per batch: the segments as arrays, unnested. */
export const recordSyncSegments = (schema: string, target: QualifiedName, runId: string, attempt: number, segments: RecordedSegment[]): Statement =>
  statement(
    `INSERT INTO ${table(schema)} (target, run_id, attempt, segment, rows, sum) SELECT $1, $2, $3, s, r, m FROM unnest($4::text[], $5::bigint[], $6::numeric[]) AS u(s, r, m)`,
    [quoteQualified(target), runId, attempt, segments.map((s) => s.segment), segments.map((s) => s.rows), segments.map((s) => s.sum)],
  );

/** The attempt's segments, as a subquery's rows (segment, rows, sum), for the statements that publish and prove them. */
export const syncSegmentsOf = (schema: string, target: QualifiedName, runId: string, attempt: number) => ({
  from: `(SELECT segment, rows, sum FROM ${table(schema)} WHERE target = $1 AND run_id = $2 AND attempt = $3)`,
  values: [quoteQualified(target), runId, attempt] as const,
});
