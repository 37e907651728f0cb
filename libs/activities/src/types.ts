import type { TwinIndex } from './twin';
import type { QualifiedName } from '@ferry/sql';
import type { LoadConversion, SourceType } from '@ferry/type-map';
import type { Segments } from './verify/segments';

/** How the finalize step publishes staged rows into the target. */
export type LoadMode = 'replace' | 'append' | 'upsert';

/** Compression of the unloaded parts (UNLOAD's GZIP, ZSTD, BZIP2 or none). */
export type Compression = 'gzip' | 'zstd' | 'bzip2' | 'none';

/** How parts get into the staging table. */
export type LoadMethod = 'copy' | 'aws_s3';

/** What `prepare` needs: the workflow's validated input plus the run's identity. No secrets. */
export interface PrepareInput {
  workflowId: string;
  runId: string;
  source: { connection: string; table?: string; query?: string };
  /** `key`: the columns an upsert matches rows on. */
  target: { connection: string; table: string; mode: LoadMode; key?: string[]; create?: 'never' | 'ifMissing'; indexes?: 'none' | 'sortKey' };
  /** Unset: the target connection's configured default. */
  loadMethod?: LoadMethod;
  unload: { compression: Compression; maxFileSizeMb: number; parallel: boolean };
  s3: { bucket?: string; prefix?: string };
  /** Move only rows above the target's largest value of this column. */
  incremental?: { column: string };
  /** A source column the target lacks: refuse (default) or add it. */
  onSchemaChange?: 'fail' | 'addColumns';
  /** What finalize proves before publishing: row counts (default), or every value by segment checksums. */
  verify?: 'counts' | 'checksum';
}

/** Everything later steps need, decided once by `prepare` and recorded in workflow history. */
export interface TransferPlan {
  runId: string;
  source: {
    connection: string;
    /** Display name for summaries: the table or `query`. */
    label: string;
    /** The SELECT that UNLOAD runs, with the column list spelled out. */
    select: string;
    /** For incremental transfers: the column and the target's high-water mark the SELECT starts after (null: the target was empty). */
    incremental?: { column: string; after: string | null };
    /** The relation and condition the SELECT reads, and each column's Redshift type: what the checksum gate compares. */
    from?: string;
    where?: string;
    types?: Record<string, SourceType>;
  };
  /** With `checksum`, the key whose buckets the checksums compare ([]: the whole table as one). */
  verify?: { mode: 'checksum'; key: string[] };
  target: {
    connection: string;
    table: QualifiedName;
    staging: QualifiedName;
    /** Columns in unload order; the COPY column list. */
    columns: string[];
    /** Columns staged as the parts' text and converted on publish (the type map's LoadConversion). */
    conversions?: Record<string, LoadConversion>;
    /** Source columns the target lacks, added (nullable) by finalize before publishing (onSchemaChange: addColumns). */
    addColumns?: { name: string; type: string }[];
    /** Set when this run created the target from the source's catalog (create: ifMissing). */
    created?: { droppedDefaults: { column: string; default: string }[] };
    mode: LoadMode;
    key?: string[];
    loadMethod: LoadMethod;
    /** The task queue of this database's part loads (see loadTaskQueue). */
    loadTaskQueue: string;
    /** How finalize publishes, as prepare decided it (finalize checks again under its lock). */
    publish?: PlannedPublish;
  };
  /** `prefix` is the run's own folder, inside the target's `folder`. */
  s3: { bucket: string; folder: string; prefix: string };
  unload: PrepareInput['unload'];
}

/** One unloaded object, as the manifest describes it. */
export interface Part {
  key: string;
  /** The object name relative to the attempt's folder, for summaries (`0002_part_00.gz`). */
  name: string;
  bytes: number;
  rows: number;
  /** The object's ETag in the listing of the attempt's folder taken after the UNLOAD finished (absent in runs recorded before overlapped loads). */
  etag?: string;
}

/** A part object as a listing of its attempt's folder saw it while the UNLOAD ran: complete, record count not yet known. */
export interface ListedPart {
  key: string;
  name: string;
  bytes: number;
  etag: string;
}

/** The name of the signal the unload activity sends its workflow (the workflow defines it with this type). */
export type PartsUnloadedSignalName = 'partsUnloaded';

/** Parts the unload activity saw complete in its attempt's folder since its previous signal. */
export interface PartsUnloaded {
  /** The unload activity's attempt: parts of an older attempt than the newest seen are superseded. */
  attempt: number;
  parts: ListedPart[];
}

/** What loadPart is given: a manifest part, or a listed one loaded before the manifest exists. */
export type PartToLoad = Pick<Part, 'key' | 'name' | 'bytes'> & { rows?: number };

export interface UnloadResult {
  /** verify: checksum — the source's segment checksums, read in the UNLOAD's own transaction (one snapshot). */
  checksum?: Segments;
  /** The activity attempt that wrote these parts (its folder is `attempt-<n>/`); absent in runs recorded before overlapped loads. */
  attempt?: number;
  parts: Part[];
  rows: number;
  bytes: number;
  durationMs: number;
}

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
  durationMs: number;
}

export interface FinalizeInput {
  plan: TransferPlan;
  manifestRows: number;
  importedRows: number;
  /** The unload's checksum, when the plan asks for the checksum gate. */
  sourceChecksum?: Segments;
  /** Also clean up once published (staging, ledger rows, lease, S3 files), saving a workflow its cleanup activity. */
  cleanup?: boolean;
}

/**
 * `swap`: staging is the target's twin and replaces it (no second copy of the rows);
 * `insert`: INSERT … SELECT from staging, with the reason a swap was not possible.
 */
export type PlannedPublish = { path: 'swap'; indexes: TwinIndex[] } | { path: 'insert'; reason?: string };

export interface PublishPath {
  path: 'swap' | 'insert';
  reason?: string;
}

export interface FinalizeResult {
  rows: number;
  publish: PublishPath;
  /** From the start of the publishing transaction to its commit: how long readers of the target could wait. */
  lockedMs: number;
  durationMs: number;
}
