/**
 * A sync's comparison: both sides' segment checksums at one depth, read as two streams ordered
 * by segment and merged, so memory holds the differing segments only, never the table's list.
 * The differing segments then become the UNLOAD's condition (only their rows move), and the
 * target's rows of those segments are what publishing replaces.
 */
import { statement, type Session, type Statement } from '@ferry/sql';
import { bucketOf, segmentsStatement, type SegmentRow, type SideQuery } from './side-query';

/** 16^5 = 1,048,576 segments: the deepest a sync compares at (each side's summary stays a few tens of MB). */
export const SYNC_MAX_DEPTH = 5;
/** About this many rows a segment: a changed row then moves this many with it. */
const ROWS_PER_SEGMENT = 32;

/** The depth for a table of about `rows` rows: segments of ~32 rows, between 16 and 16^5 of them. */
export function syncDepth(rows: number): number {
  const wanted = Math.ceil(Math.log(Math.max(rows, 1) / ROWS_PER_SEGMENT) / Math.log(16));
  return Math.min(SYNC_MAX_DEPTH, Math.max(1, wanted));
}

export interface SegmentSum {
  segment: string;
  rows: number;
  sum: string;
}

export interface SegmentDiff {
  /** Segments either side has. */
  compared: number;
  /** The source's rows, in every segment. */
  sourceRows: number;
  /** How many differ (all of them counted, even past `limit`). */
  differing: number;
  /** The differing segments, with the source's count and sum (0 where the source has no row), while at most `limit` differ. */
  segments: SegmentSum[];
  /** More than `limit` differ: `segments` is incomplete. */
  overLimit: boolean;
}

const toSum = (r: SegmentRow): SegmentSum => ({ segment: r.bucket ?? '', rows: Number(r.rows), sum: String(r.sum ?? '0') });

/**
 * Merges the two sides' segments, each ordered by segment, into the ones that differ. A side
 * out of order (a collation that sorts hex digits otherwise) fails rather than compare wrongly.
 */
export async function diffSegments(source: AsyncIterable<SegmentRow>, target: AsyncIterable<SegmentRow>, limit: number): Promise<SegmentDiff> {
  const s = ordered(source, 'source')[Symbol.asyncIterator]();
  const t = ordered(target, 'target')[Symbol.asyncIterator]();
  const out: SegmentDiff = { compared: 0, sourceRows: 0, differing: 0, segments: [], overLimit: false };
  const differ = (segment: SegmentSum) => {
    out.differing++;
    if (out.segments.length < limit) out.segments.push(segment);
    else out.overLimit = true;
  };
  // Both first rows at once: each side's first FETCH runs its whole aggregation.
  let [a, b] = await Promise.all([s.next(), t.next()]);
  while (!a.done || !b.done) {
    out.compared++;
    if (!a.done && (b.done || a.value.segment < b.value.segment)) {
      out.sourceRows += a.value.rows;
      differ(a.value);
      a = await s.next();
    } else if (a.done || b.value.segment < a.value.segment) {
      differ({ segment: b.value.segment, rows: 0, sum: '0' });
      b = await t.next();
    } else {
      out.sourceRows += a.value.rows;
      if (a.value.rows !== b.value.rows || a.value.sum !== b.value.sum) differ(a.value);
      a = await s.next();
      b = await t.next();
    }
  }
  return out;
}

/** A side's ORDER BY sorted hex text otherwise than by code point: comparing would be wrong, retrying would not help. */
export class SegmentsOutOfOrder extends Error {
  constructor(side: string, before: string, after: string) {
    super(`the ${side}'s segments are not in hex order (${JSON.stringify(before)} before ${JSON.stringify(after)}): its collation sorts text otherwise`);
    this.name = 'SegmentsOutOfOrder';
  }
}

async function* ordered(rows: AsyncIterable<SegmentRow>, side: string): AsyncIterable<SegmentSum> {
  let last: string | undefined;
  for await (const r of rows) {
    const sum = toSum(r);
    if (last !== undefined && sum.segment <= last) {
      throw new Error(
        `the ${side}'s segments are not in hex order (${JSON.stringify(last)} before ${JSON.stringify(sum.segment)}): its collation sorts text otherwise`,
      );
    }
    last = sum.segment;
    yield sum;
  }
}

/**
 * A side's segments, summed into a temporary table first (a plain statement, so each database
 * may spread it over its workers or slices: a cursor's query runs in one process on
 * PostgreSQL), then read through a cursor in segment order for the merge. Redshift and
 * PostgreSQL both take CREATE TEMPORARY TABLE … AS; it is dropped again by `dropSegments`.
 */
export const summarizeSegments = (side: SideQuery, depth: number, table: string): Statement =>
  statement(`CREATE TEMPORARY TABLE ${table} AS ${segmentsStatement(side, depth).text}`);

/**
 * Without IF EXISTS: the temporary table exists (made in this transaction; a failure rolls
 * both back), and a session's temporary tables come first in its search path, so the name
 * never reaches a user's table of the same name.
 */
export const dropSegments = (table: string): Statement => statement(`DROP TABLE ${table}`);

export const orderedSegments = (table: string): Statement => statement(`SELECT bucket, rows, sum FROM ${table} ORDER BY bucket`);

/** Redshift fetches at most 1,000 rows at a time on a single-node cluster (AWS, "FETCH"). */
const CURSOR_BATCH = 1_000;

/**
 * A statement's rows through a cursor, a batch at a time (inside the caller's transaction: the
 * source's is the UNLOAD's). Redshift takes only `DECLARE name CURSOR FOR query`, one open
 * cursor a session, inside a transaction, and materializes the result on its leader node
 * (AWS, "DECLARE"): a segment summary of at most 16^5 rows of ~50 bytes.
 */
export async function* cursorRows<R extends object>(session: Session, name: string, query: Statement): AsyncIterable<R> {
  if (query.values && query.values.length > 0) throw new Error('a cursor is declared without bind parameters');
  await session.query(`DECLARE ${name} CURSOR FOR ${query.text}`);
  try {
    for (;;) {
      const { rows } = await session.query<R>(`FETCH FORWARD ${CURSOR_BATCH} FROM ${name}`);
      yield* rows;
      if (rows.length < CURSOR_BATCH) return;
    }
  } finally {
    await session.query(`CLOSE ${name}`).catch(() => undefined);
  }
}

const HEX = /^[0-9a-f]+$/;

/**
 * The UNLOAD's condition: the row's segment is one of these (literals: UNLOAD takes no
 * parameters; segments are hex, checked). No segment: no row.
 */
export function segmentCondition(side: Pick<SideQuery, 'dialect' | 'key'>, depth: number, segments: string[]): string {
  if (segments.length === 0) return '1 = 0';
  for (const s of segments) if (!HEX.test(s) || s.length !== depth) throw new Error(`not a segment of depth ${depth}: ${JSON.stringify(s)}`);
  return `${bucketOf(side, depth)} IN (${segments.map((s) => `'${s}'`).join(', ')})`;
}
