import { quoteIdent, quoteQualified, run, runAll, statement, type Session, type Statement } from '@ferry/sql';
import type { SyncPublished } from '@ferry/contract';
import { publishExpression } from '@ferry/type-map';
import { repeatedKey, type PublishTarget } from './publish-modes';
import { UpsertKeyRepeated } from './refusals';
import { syncSegmentsOf } from './sync-segments';

// mode sync, inside finalize's one transaction: staging holds the source's rows of the segments
// that differed, each with the hash the source computed; of the target's rows in those segments,
// those whose key the source no longer has are deleted and those whose hash differs updated in
// place, new keys are inserted, and the segments are then proven against the source's sums.

/** The target's row hash and segment, as SQL over its columns (libs/checksum builds them for the target's types and encoding). */
export interface SyncHashes {
  /** The row's segment: the first `depth` hex digits of its key's md5. */
  segmentOf: string;
  /** The row's hash, as uuid: what the source carried beside the same row. */
  rowHashOf: string;
  /** A SELECT of (bucket, rows, sum) per segment over the target's rows that meet `where`. */
  segmentSums: (where: string) => string;
}

export interface SyncPublishRequest {
  runId: string;
  /** The unload attempt whose parts are staged: its segments were recorded under it. */
  attempt: number;
  /** The source's rows in the snapshot: the target's count after publishing. */
  sourceRows: number;
  hashes: SyncHashes;
  /** Staging's column of the carried row hashes. */
  carried: string;
}

/** A temporary table of the target's keys and row hashes in the differing segments, dropped at commit. */
const KEYS = 'ferry_sync_keys';

/** Readers go on reading the old rows until commit; other writers wait, so the segments cannot move under the proof. */
export const lockForSync = (t: PublishTarget): Statement => statement(`LOCK TABLE ${quoteQualified(t.table)} IN SHARE ROW EXCLUSIVE MODE`);

function parts(t: PublishTarget, r: SyncPublishRequest) {
  const key = t.key!;
  const value = (column: string) => publishExpression(`s.${quoteIdent(column)}`, t.conversions?.[column]);
  const segments = syncSegmentsOf(t.staging.schema, t.table, r.runId, r.attempt);
  return {
    target: quoteQualified(t.table),
    staging: quoteQualified(t.staging),
    segments,
    keyList: key.map(quoteIdent).join(', '),
    value,
    /** A staged row (s) and a collected key (k) have the same key (the target's key is unique). */
    sameKey: key.map((k) => `k.${quoteIdent(k)} = ${value(k)}`).join(' AND '),
    stagedKeys: key.map(value).join(', '),
    columns: t.columns.map(quoteIdent).join(', '),
    values: t.columns.map(value).join(', '),
  };
}

const KEYS_HASH = 'ferry_row_hash';

/** The target's rows in the differing segments: their keys and hashes, read once under the lock. */
export function collectSyncKeys(t: PublishTarget, r: SyncPublishRequest): Statement[] {
  const { target, segments, keyList } = parts(t, r);
  return [
    statement(
      `CREATE TEMPORARY TABLE ${KEYS} ON COMMIT DROP AS SELECT ${keyList}, ${r.hashes.rowHashOf} AS ${quoteIdent(KEYS_HASH)} FROM ${target} WHERE ${r.hashes.segmentOf} IN (SELECT segment FROM ${segments.from} AS g)`,
      segments.values,
    ),
    statement(`ANALYZE ${KEYS}`),
  ];
}

/** Deletes the target's rows of the differing segments whose key the source no longer has. */
export function deleteGoneRows(t: PublishTarget, r: SyncPublishRequest): Statement {
  const { target, staging, sameKey } = parts(t, r);
  const key = t.key!.map((k) => `t.${quoteIdent(k)} = k.${quoteIdent(k)}`).join(' AND ');
  return statement(`DELETE FROM ${target} AS t USING ${KEYS} AS k WHERE ${key} AND NOT EXISTS (SELECT 1 FROM ${staging} AS s WHERE ${sameKey})`);
}

/**
 * Updates, in place, the rows whose key both sides have and whose hash differs: columns only
 * the target has, foreign keys that reference the row and its triggers see an UPDATE, as the
 * change was one. Undefined when every column is part of the key (no row can then differ).
 */
export function updateChangedRows(t: PublishTarget, r: SyncPublishRequest): Statement | undefined {
  const { target, staging, sameKey, value } = parts(t, r);
  const others = t.columns.filter((c) => !t.key!.includes(c));
  if (others.length === 0) return undefined;
  const key = t.key!.map((k) => `t.${quoteIdent(k)} = k.${quoteIdent(k)}`).join(' AND ');
  const set = others.map((c) => `${quoteIdent(c)} = ${value(c)}`).join(', ');
  return statement(
    `UPDATE ${target} AS t SET ${set} FROM ${KEYS} AS k, ${staging} AS s WHERE ${key} AND ${sameKey} AND k.${quoteIdent(KEYS_HASH)} IS DISTINCT FROM s.${quoteIdent(r.carried)}`,
  );
}

/** Writes the staged rows whose key the target's differing segments do not have. */
export function insertNewRows(t: PublishTarget, r: SyncPublishRequest): Statement {
  const { target, staging, columns, values, sameKey } = parts(t, r);
  return statement(
    `INSERT INTO ${target} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${values} FROM ${staging} AS s WHERE NOT EXISTS (SELECT 1 FROM ${KEYS} AS k WHERE ${sameKey})`,
  );
}

/**
 * After writing: each differing segment's count and hash sum on the target, against the
 * source's. The segment's rows are the collected keys and the staged ones (nothing else can
 * have entered it under the lock). Lists at most 20 segments that disagree.
 */
export function syncProof(t: PublishTarget, r: SyncPublishRequest): Statement {
  const { segments, keyList, staging, stagedKeys } = parts(t, r);
  const inSegments = `(${keyList}) IN (SELECT ${keyList} FROM ${KEYS} UNION ALL SELECT ${stagedKeys} FROM ${staging} AS s)`;
  return statement(
    `SELECT g.segment, g.rows AS source_rows, COALESCE(p.rows, 0) AS target_rows FROM ${segments.from} AS g LEFT JOIN (${r.hashes.segmentSums(inSegments)}) AS p ON p.bucket = g.segment WHERE COALESCE(p.rows, 0) <> g.rows OR COALESCE(p.sum, 0) <> g.sum ORDER BY g.segment LIMIT 20`,
    segments.values,
  );
}

export const countTargetRows = (t: PublishTarget): Statement => statement(`SELECT count(*) AS rows FROM ${quoteQualified(t.table)}`);

/** Segments of the target that did not come out equal to the source's: the transaction must roll back. */
export class SyncProofFailed extends Error {
  constructor(
    readonly segments: { segment: string; sourceRows: number; targetRows: number }[],
    readonly rows: { source: number; target: number },
  ) {
    super(
      `after the sync, ${segments.length > 0 ? `segments ${segments.map((s) => s.segment).join(', ')}` : 'the row count'} of the target differ from the source's snapshot`,
    );
  }
}

/** The sync's statements, in the publishing transaction (the caller holds it); throws SyncProofFailed to roll it back. */
export async function syncRows(tx: Session, t: PublishTarget, r: SyncPublishRequest): Promise<SyncPublished> {
  await run(tx, lockForSync(t));
  const repeated = await repeatedKey(tx, t);
  if (repeated) throw new UpsertKeyRepeated(repeated);
  await runAll(tx, collectSyncKeys(t, r));
  const deleted = (await run(tx, deleteGoneRows(t, r))).rowCount;
  const update = updateChangedRows(t, r);
  const updated = update ? (await run(tx, update)).rowCount : 0;
  const inserted = (await run(tx, insertNewRows(t, r))).rowCount;
  const differing = (await run<{ segment: string; source_rows: string; target_rows: string }>(tx, syncProof(t, r))).rows;
  const total = Number((await run<{ rows: string }>(tx, countTargetRows(t))).rows[0].rows);
  if (differing.length > 0 || total !== r.sourceRows) {
    throw new SyncProofFailed(
      differing.map((d) => ({ segment: d.segment, sourceRows: Number(d.source_rows), targetRows: Number(d.target_rows) })),
      { source: r.sourceRows, target: total },
    );
  }
  return { rowsWritten: updated + inserted, rowsDeleted: deleted };
}
