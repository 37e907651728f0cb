/** Segment checksums: count and hash sum per key bucket, `{ "3f": { rows: 12, sum: "123…" } }`. */
export type Segments = Record<string, { rows: number; sum: string }>;

export type KeyValue = Record<string, string | null>;

export interface Differences {
  /** Keys the source has and the target lacks. */
  missing: KeyValue[];
  /** Keys the target has and the source lacks. */
  extra: KeyValue[];
  /** Keys on both sides whose values differ, with the differing columns. */
  changed: { key: KeyValue; columns: string[] }[];
  /** More differences exist than are listed. */
  truncated: boolean;
  /** Without a key, rows cannot be located: only that the table differs is known. */
  unlocated: boolean;
}

export interface Comparison extends Differences {
  equal: boolean;
  rows: { source: number; target: number };
  /** Buckets where the live source no longer matches the snapshot: differences listed under them are against the source as it is now. */
  sourceChangedSinceSnapshot: boolean;
  queries: number;
}

/** What `tableVerify`, `ferry verify` and the checksum gate report. */
export interface VerifyReport extends Comparison {
  source: string;
  target: string;
  /** The key rows are located by ([] : the whole table as one segment). */
  key: string[];
  compared: string[];
  leftOut: { column: string; reason: string }[];
}

/** The tableVerify input (libs/pipeline's schema checks it): a source and a target by connection name. */
export interface VerifyTableInput {
  source: { connection: string; table?: string; query?: string };
  target: { connection: string; table: string };
  /** Columns rows are matched on (default: the target's primary key). */
  key?: string[];
  maxDifferences?: number;
}
