import type { QualifiedName } from '@ferry/sql';
import type { Compression, CreateIndexes, CreateTarget, LoadMethod, LoadMode, OnSchemaChange, VerifyMode } from './options';
import type { NamedPart, RegisteredPart, RegisteredRun } from './parts';
import type { TransferPlan, UnloadOptions } from './plan';
import type { Segments, VerifyReport, VerifyTableInput } from './verify';

// One input and one result per activity: what the workflows schedule and the worker runs.
// An input carries what its activity needs, not more: each is stored in workflow history
// once per call, and a table has as many loads as parts.

/** What `prepare` needs: the workflow's validated input plus the run's identity. No secrets. */
export interface PrepareInput {
  workflowId: string;
  runId: string;
  source: { connection: string; table?: string; query?: string };
  /** `key`: the columns an upsert matches rows on. */
  target: { connection: string; table: string; mode: LoadMode; key?: string[]; create?: CreateTarget; indexes?: CreateIndexes };
  /** Unset: the target connection's configured default. */
  loadMethod?: LoadMethod;
  unload: UnloadOptions;
  s3: { bucket?: string; prefix?: string };
  /** Move only rows above the target's largest value of this column. */
  incremental?: { column: string };
  onSchemaChange?: OnSchemaChange;
  verify?: VerifyMode;
  /** mode sync: copy the whole table when more than this share of its key segments differ (default 0.25). */
  sync?: { fullCopyAbove?: number };
}

/**
 * What a sync's unload found when it compared the source's segments (in the UNLOAD's own
 * snapshot) with the target's. `differing` segments were unloaded, and recorded on the target
 * with the source's count and hash sum for finalize's proof; `fullCopy`: every row was.
 */
export interface SyncCompared {
  segmentsCompared: number;
  segmentsDiffering: number;
  /** The source's rows in the snapshot: what the target must hold after publishing. */
  sourceRows: number;
  fellBackToFull: boolean;
  /** Why the whole table was copied. */
  reason?: string;
}

/** A sync run's result, as the workflow and a pipeline's outcome report it. */
export interface SyncResult {
  segmentsCompared: number;
  segmentsDiffering: number;
  rowsUnloaded: number;
  rowsWritten: number;
  rowsDeleted: number;
  fellBackToFull: boolean;
  reason?: string;
}

export function syncResult(compared: SyncCompared, rowsUnloaded: number, published: SyncPublished | undefined): SyncResult {
  return {
    segmentsCompared: compared.segmentsCompared,
    segmentsDiffering: compared.segmentsDiffering,
    rowsUnloaded,
    rowsWritten: published?.rowsWritten ?? 0,
    rowsDeleted: published?.rowsDeleted ?? 0,
    fellBackToFull: compared.fellBackToFull,
    ...(compared.reason && { reason: compared.reason }),
  };
}

/** What a sync's publish did: rows written (new or changed), rows deleted (keys the source no longer has). */
export interface SyncPublished {
  rowsWritten: number;
  rowsDeleted: number;
}

/**
 * The plan, and how the unload tells its workflow about parts: each goes to the target's
 * registry (@ferry/postgres parts-registry.ts), not to history; a signal says how many there
 * are once `signalEvery` more are registered (and a few seconds pass between the first ones).
 * 0: the caller loads the parts itself and hears nothing (a small table's activity).
 */
export type UnloadInput = TransferPlan & { partsRegistry: { signalEvery: number } };

export interface UnloadResult {
  /** verify: checksum — the source's segment checksums, read in the UNLOAD's own transaction (one snapshot). */
  checksum?: Segments;
  /** mode sync: what the comparison found, and so what this attempt unloaded. */
  sync?: SyncCompared;
  /** The activity attempt that wrote these parts (its folder is `attempt-<n>/`). */
  attempt: number;
  /** How many parts the attempt registered, numbered 0 to `partsRegistered` - 1. */
  partsRegistered: number;
  /** The first `signalEvery` parts by name, size and record count, for the summaries of the loads the table's own workflow runs. */
  named?: NamedPart[];
  rows: number;
  bytes: number;
  durationMs: number;
}

/** What a part's load needs of the plan: where the parts are, how they are written, where they go. */
export interface LoadTarget {
  runId: string;
  connection: string;
  /** The target table, as the ledger names it. */
  table: QualifiedName;
  staging: QualifiedName;
  /**
   * Staging's columns in unload order: the COPY column list. Absent when prepare recorded
   * them with the run (@ferry/postgres run-columns.ts): the load reads them there, and its
   * input, stored in history once per part, stays small however wide the table.
   */
  columns?: string[];
  loadMethod: LoadMethod;
  bucket: string;
  compression: Compression;
}

/** A load with its columns known: as given, or as prepare recorded them. */
export type ResolvedLoad = LoadTarget & { columns: string[] };

export function loadTargetOf(plan: TransferPlan): LoadTarget {
  const { runId, target, s3, unload } = plan;
  return {
    runId,
    connection: target.connection,
    table: target.table,
    staging: target.staging,
    ...(!target.columnsRecorded && { columns: target.columns }),
    loadMethod: target.loadMethod,
    bucket: s3.bucket,
    compression: unload.compression,
  };
}

/**
 * A part by its place in the target's registry (the load reads it there), or a run of
 * registered parts loaded one after another, each in its own transaction (small parts: one
 * activity instead of one each). `epoch`: how often the workflow reset this run's staging
 * table before this load (0 or absent: never).
 */
export type LoadPartInput =
  { load: LoadTarget; registered: RegisteredPart; epoch?: number } | { load: LoadTarget; registeredRun: RegisteredRun; epoch?: number };

export interface LoadPartResult {
  rows: number;
  /** The object's size as the load read it (as given, when the ledger already had the part). */
  bytes: number;
  /** The ETag of the object the load read (the ledger's, when it already had the part). */
  etag?: string;
  /** load.method aws_s3 with gzip: the ETag after ferry marked the object Content-Encoding gzip (a copy onto itself). */
  markedEtag?: string;
  /** True when the ledger already had this part: an earlier attempt committed it. */
  alreadyLoaded: boolean;
  /** Registered parts with nothing to load (empty), not loaded. */
  skipped?: number;
  /** A run of parts: what this attempt loaded itself (the rest was in the ledger already), for the worker's counters. */
  fresh?: { parts: number; rows: number; bytes: number };
  durationMs: number;
}

export interface ResetStagingInput {
  /** The run's loads: the reset empties their staging table. */
  load: LoadTarget;
  /** Why: for the log (the attempt that superseded the loaded one, or the manifest's slow path). */
  reason: string;
}

export interface FinalizeInput {
  plan: TransferPlan;
  manifestRows: number;
  importedRows: number;
  /** The unload's checksum, when the plan asks for the checksum gate. */
  sourceChecksum?: Segments;
  /** mode sync: the unload's comparison, of the attempt whose parts were loaded. */
  sync?: SyncCompared;
  /**
   * Finalize always cleans up once published (staging, ledger rows, lease, S3 files). Earlier
   * builds' finalize did only when asked, and in an unversioned fleet mid-upgrade one of their
   * workers may run it: workflows still ask.
   */
  cleanup?: true;
  /**
   * First prove staging against the manifest, in the target (@ferry/postgres
   * parts-registry.ts), over this attempt's registered parts and the loads since the
   * `epoch`-th reset. A disagreement fails with PartsDisagree (VerificationFailed on the
   * `lastTry`), publishing nothing.
   */
  parts: {
    attempt: number;
    epoch: number;
    lastTry?: boolean;
    /**
     * A tiny table (its parts 8 MB in all): load these parts first, each in its own transaction
     * with its ledger row, in this activity instead of a loadPart of their own; `importedRows`
     * is then what they load.
     */
    loadFirst?: RegisteredRun;
  };
}

export interface PublishPath {
  path: 'swap' | 'insert';
  reason?: string;
}

export interface FinalizeResult {
  rows: number;
  /** A tiny table's parts loaded by finalize itself (parts.loadFirst): what this attempt loaded, for the worker's counters. */
  loaded?: { parts: number; rows: number; bytes: number };
  publish: PublishPath;
  /** From the start of the publishing transaction to its commit: how long readers of the target could wait. */
  lockedMs: number;
  /** mode sync: what publishing changed. */
  sync?: SyncPublished;
  durationMs: number;
}

export interface CleanupResult {
  objectsDeleted: number;
}

export interface CleanupTargetInput {
  /** Who asks: the cleanup takes the target's lease, so it never races a running transfer. */
  workflowId: string;
  runId: string;
  target: { connection: string; table: string };
  s3?: { bucket?: string; prefix?: string };
}

export interface DiscoverInput {
  entries: { name: string; connection: string; schema: string; include: string[]; exclude: string[] }[];
}

/** For each discovery entry, the source tables it expands to (sorted, so the expansion is stable). */
export type DiscoveredTables = Record<string, string[]>;

/** A pipeline's table that may be small enough to move in one activity (small-table.ts). */
export interface SmallTableInput {
  prepare: PrepareInput;
  /** More rows than this, by the source's catalog estimate (SVV_TABLE_INFO), and the table gets its own workflow. */
  maxRows: number;
}

export type SmallTableResult =
  /** Not small, or not a table: why, for the pipeline to start the table's own workflow. Nothing was changed. */
  | { handOff: string }
  | {
      rows: number;
      bytes: number;
      parts: number;
      /** What this attempt loaded itself, for the worker's counters. */
      loaded?: { parts: number; rows: number; bytes: number };
      publish: PublishPath;
      lockedMs: number;
      sync?: SyncResult;
      durationsMs: { prepare: number; unload: number; finalize: number; total: number };
    };

/** The activities a ferry worker registers; workflows schedule them by these names and types. */
export interface FerryActivities {
  prepare(input: PrepareInput): Promise<TransferPlan>;
  unload(input: UnloadInput): Promise<UnloadResult>;
  loadPart(input: LoadPartInput): Promise<LoadPartResult>;
  resetStaging(input: ResetStagingInput): Promise<{ durationMs: number }>;
  finalize(input: FinalizeInput): Promise<FinalizeResult>;
  cleanup(plan: TransferPlan): Promise<CleanupResult>;
  cleanupTarget(input: CleanupTargetInput): Promise<CleanupResult>;
  discoverTables(input: DiscoverInput): Promise<DiscoveredTables>;
  verifyTable(input: VerifyTableInput): Promise<VerifyReport>;
  transferSmallTable(input: SmallTableInput): Promise<SmallTableResult>;
}
