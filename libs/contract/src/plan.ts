import type { QualifiedName } from '@ferry/sql';
import type { LoadConversion, SourceType } from '@ferry/type-map';
import type { Compression, LoadMethod, LoadMode } from './options';

/** One of the target's indexes, rebuilt on the twin after the load. */
export interface TwinIndex {
  /** The target's name for it, restored by the swap. */
  name: string;
  /** The twin's name until the swap (the staging schema is shared, so names must not collide). */
  temp: string;
  /** `PRIMARY KEY (id)`, `UNIQUE (a, b)`, `EXCLUDE …` for an index behind a constraint. */
  constraint: string | null;
  /** `[UNIQUE] … USING btree (…) [INCLUDE …] [WITH …] [WHERE …]`: the index definition after its name and table. */
  definition: string;
  /** COMMENT ON INDEX, and COMMENT ON CONSTRAINT for the constraint behind it. */
  comment: string | null;
  constraintComment: string | null;
}

/**
 * `swap`: staging is the target's twin and replaces it (no second copy of the rows);
 * `insert`: INSERT … SELECT from staging, with the reason a swap was not possible.
 */
export type PlannedPublish = { path: 'swap'; indexes: TwinIndex[] } | { path: 'insert'; reason?: string };

/**
 * A sync compares the source and the target by segments of their key's md5 (`depth` hex
 * digits: 16^depth segments) and moves the rows of the segments that differ. `full`: this run
 * copies the whole table instead (the target was empty), with the reason.
 */
export interface SyncPlan {
  key: string[];
  depth: number;
  /** More than this share of the segments differ: unload every row and replace the target's. */
  fullCopyAbove: number;
  full?: string;
}

export interface UnloadOptions {
  compression: Compression;
  maxFileSizeMb: number;
  parallel: boolean;
}

/**
 * A transfer's run id: its tableTransfer workflow's run id, or, for a pipeline's small table
 * moved by one activity, `<pipeline run id>/<table number>` — the run's parts registry, ledger
 * and files are its own, while the lease names the pipeline's run, which Temporal knows.
 */
export const smallTableRunId = (workflowRunId: string, table: number): string => `${workflowRunId}/${table}`;

/** The Temporal run a transfer's run id belongs to. */
export const workflowRunIdOf = (runId: string): string => runId.split('/')[0];

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
  /**
   * With `checksum`, the key differing rows are named by ([]: none), and the staging column the
   * source's row hashes arrive in, written by the UNLOAD's SELECT (`carried`; plans prepared
   * before it compare segment checksums from the UNLOAD's transaction instead).
   */
  verify?: {
    mode: 'checksum';
    key: string[];
    carried?: string;
    /** The CHECK on staging that proves each row as COPY writes it, and the md5 of its definition when prepare added it. */
    check?: { name: string; digest: string };
  };
  target: {
    connection: string;
    table: QualifiedName;
    staging: QualifiedName;
    /** Columns in unload order; the COPY column list. */
    columns: string[];
    /** Prepare recorded `columns` with the run, so part loads are not given them (absent in runs prepared before). */
    columnsRecorded?: boolean;
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
  /** mode sync: how the source and the target are compared (sync.ts). */
  sync?: SyncPlan;
  /** `prefix` is the run's own folder, inside the target's `folder`. */
  s3: { bucket: string; folder: string; prefix: string };
  unload: UnloadOptions;
}
