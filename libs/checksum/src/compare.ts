import type { Comparison, Differences, Segments } from '@ferry/contract';
import type { ChecksumSide } from './checksum-side';
import type { LeafRow } from './side-query';

/** The level the first comparison reads: 256 buckets, each bisected further only if it differs. */
export const TOP_LEVEL = 2;

export interface CompareOptions {
  /** Stop listing after this many differing keys. */
  maxDifferences: number;
  /** A differing bucket with at most this many rows on each side is compared row by row. */
  leafRows: number;
  /** The source's top-level segments as of an earlier snapshot (the UNLOAD's); the live source is read below them. */
  sourceSnapshot?: Segments;
}

const differs = (a?: { rows: number; sum: string }, b?: { rows: number; sum: string }) => a?.rows !== b?.rows || a?.sum !== b?.sum;
const total = (s: Segments) => Object.values(s).reduce((n, b) => n + b.rows, 0);

/**
 * Compares two sides bucket by bucket and bisects the buckets that differ, a hex digit at a
 * time, until a bucket is small enough to compare row by row: the number of queries grows
 * with the number of differences, not with the table.
 */
export async function compareSides(source: ChecksumSide, target: ChecksumSide, o: CompareOptions): Promise<Comparison> {
  let queries = 0;
  const count = <T>(p: Promise<T>) => (queries++, p);
  const top = { source: o.sourceSnapshot ?? (await count(source.segments(TOP_LEVEL))), target: await count(target.segments(TOP_LEVEL)) };
  const result: Comparison = {
    equal: true,
    rows: { source: total(top.source), target: total(top.target) },
    missing: [],
    extra: [],
    changed: [],
    truncated: false,
    unlocated: false,
    sourceChangedSinceSnapshot: false,
    queries: 0,
  };
  const pending = differingBuckets(top.source, top.target);
  result.equal = pending.length === 0;
  if (result.equal) return { ...result, queries };
  if (!source.keyed) return { ...result, unlocated: true, queries };

  let live: Segments | undefined;
  if (o.sourceSnapshot) {
    live = await count(source.segments(TOP_LEVEL));
    result.sourceChangedSinceSnapshot = pending.some((b) => differs(live![b.bucket], top.source[b.bucket]));
  }
  const found = () => result.missing.length + result.extra.length + result.changed.length;
  const queue = pending.map((b) => ({ ...b, source: live?.[b.bucket] ?? b.source }));
  while (queue.length > 0) {
    if (found() >= o.maxDifferences) {
      result.truncated = true;
      break;
    }
    const b = queue.shift()!;
    if (Math.max(b.source?.rows ?? 0, b.target?.rows ?? 0) <= o.leafRows || b.bucket.length >= 32) {
      const [s, t] = [await count(source.leafRows(b.bucket)), await count(target.leafRows(b.bucket))];
      diffLeaf(s, t, result);
      continue;
    }
    const level = b.bucket.length + 1;
    const [s, t] = [await count(source.segments(level, b.bucket)), await count(target.segments(level, b.bucket))];
    queue.unshift(...differingBuckets(s, t));
  }
  if (found() > o.maxDifferences) {
    result.truncated = true;
    for (const list of [result.missing, result.extra, result.changed] as unknown[][]) list.length = Math.min(list.length, o.maxDifferences);
  }
  return { ...result, queries };
}

/** The buckets whose count or hash sum differ, in key order. */
export function differingBuckets(source: Segments, target: Segments) {
  return [...new Set([...Object.keys(source), ...Object.keys(target)])]
    .sort()
    .filter((bucket) => differs(source[bucket], target[bucket]))
    .map((bucket) => ({ bucket, source: source[bucket], target: target[bucket] }));
}

function diffLeaf(source: LeafRow[], target: LeafRow[], into: Differences): void {
  const byKey = new Map(target.map((r) => [r.keyText, r]));
  for (const s of source) {
    const t = byKey.get(s.keyText);
    if (!t) into.missing.push(s.key);
    else if (t.hash !== s.hash) into.changed.push({ key: s.key, columns: Object.keys(s.columns).filter((c) => s.columns[c] !== t.columns[c]) });
    byKey.delete(s.keyText);
  }
  // A key twice on one side (Redshift keys are informational) shows up as missing or extra.
  for (const t of byKey.values()) into.extra.push(t.key);
}
