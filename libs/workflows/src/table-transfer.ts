import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  defineSignal,
  deprecatePatch,
  executeChild,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  FailureType,
  loadTargetOf,
  PARTS_REGISTERED_SIGNAL,
  type FerryActivities,
  type FinalizeResult,
  type NamedPart,
  type PartsRegistered,
  type PublishPath,
  type RegisteredPart,
  type RegisteredRun,
  type SyncCompared,
  type SyncResult,
  syncResult,
  type TransferPlan,
  type UnloadResult,
} from '@ferry/contract';
import type { TableTransferOptions } from '@ferry/pipeline';
import { formatBytes, formatCount } from './format';
import { parseTableTransferInput, prepareInputOf, type TableTransferInput } from '@ferry/pipeline';
import { loadPartRange } from './load-part-range';
import { registeredLoads, type LoadsDone } from './registered-loads';
import { progressQuery, type TransferProgress } from './progress';
import { surfaceCause } from './failures';

const { prepare, cleanup } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '10m',
  retry: { maximumAttempts: 5 },
});

// Long statements heartbeat; a dead worker is noticed within heartbeatTimeout and the
// activity retried elsewhere. Cancellation waits for the database side to stop.
const { unload, loadPart, resetStaging, finalize } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', maximumAttempts: 10 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Sent by the unload activity as more of its parts are registered on the target. */
export const partsRegisteredSignal = defineSignal<[PartsRegistered]>(PARTS_REGISTERED_SIGNAL);

export interface TableTransferResult {
  source: string;
  target: string;
  mode: string;
  rows: number;
  bytes: number;
  parts: number;
  partsSkipped: number;
  /** Incremental transfers: the target's high-water mark the run started after (null: it moved everything). */
  incremental?: { column: string; after: string | null };
  /** Set when the run created the target from the source's catalog; defaults with no PostgreSQL equivalent are named. */
  created?: { droppedDefaults: { column: string; default: string }[] };
  /** Source columns the run added to the target (onSchemaChange: addColumns). */
  columnsAdded?: string[];
  /** How finalize published: `swap` (staging, the target's twin, took its place) or `insert`, with why not swap. */
  publish?: PublishPath;
  /** How long finalize's publishing transaction held the target, from its start to its commit. */
  lockedMs?: number;
  /** mode sync: segments compared and differing, rows unloaded, written and deleted, and whether the whole table was copied. */
  sync?: SyncResult;
  durationsMs: { prepare: number; unload: number; load: number; finalize: number; total: number };
}

/** Moves one table: prepare → unload → load every part (bounded, while the UNLOAD runs) → verify, publish and clean up. */
export async function tableTransfer(rawInput: TableTransferInput): Promise<TableTransferResult> {
  const parsed = parseTableTransferInput(rawInput);
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.message, FailureType.invalidInput);
  const input = parsed.value;

  const progress: TransferProgress = { phase: 'preparing', partsTotal: 0, partsDone: 0, partsSkipped: 0, rowsLoaded: 0, bytesLoaded: 0 };
  setHandler(progressQuery, () => progress);
  const clock = stopwatch();
  let plan: TransferPlan | undefined;

  try {
    plan = await prepare.executeWithOptions({ summary: `prepare ${input.target.table}` }, [prepareInputOf(input, workflowInfo())]);
    const prepareMs = clock.lap();

    progress.phase = 'unloading';
    if (plan.sync) progress.sync = plan.sync.full ? `copying every row: ${plan.sync.full}` : 'comparing segments';
    setCurrentDetails(plan.sync && !plan.sync.full ? `comparing ${plan.source.label} with ${input.target.table}` : `unloading ${plan.source.label}`);
    const after = plan.source.incremental
      ? ` where ${plan.source.incremental.column} after ${plan.source.incremental.after ?? '(empty target: all rows)'}`
      : '';
    const step: LoadStep = {
      plan,
      progress,
      maxParallelLoads: input.load.maxParallelLoads,
      partsPerWorkflow: input.load.partsPerWorkflow,
      unloadSummary:
        plan.sync && !plan.sync.full ? `compare ${plan.source.label} by segments, unload those that differ` : `unload ${plan.source.label}${after}`,
      clock,
    };
    // Retired patches: deprecatePatch keeps their markers, so histories recorded with them
    // replay. Runs recorded before them took paths that are gone and must finish on the build
    // that started them (docs/deploy.md, "Rolling out a new version").
    deprecatePatch('overlap-unload-load');
    deprecatePatch('parts-registry');
    const loaded = await unloadIntoRegistry(step);
    const { unloaded, parts } = loaded;

    progress.phase = 'finalizing';
    if (unloaded.sync && !unloaded.sync.fellBackToFull) progress.sync = `publishing ${unloaded.sync.segmentsDiffering} segments`;
    deprecatePatch('cleanup-in-finalize');
    const finalizeWith = (done: LoadsDone, lastTry = false) => {
      // A tiny table's parts load in finalize: the rows it publishes are the manifest's, or it fails.
      const rows = done.loadFirst ? unloaded.rows : done.rows;
      const loadFirst = done.loadFirst && loaded.named(done.loadFirst);
      return finalize.executeWithOptions({ summary: `${plan!.target.mode} ${input.target.table} (${formatCount(rows)} rows) ${publishSummary(plan!)}` }, [
        {
          plan: plan!,
          manifestRows: unloaded.rows,
          importedRows: done.rows,
          ...(unloaded.checksum && { sourceChecksum: unloaded.checksum }),
          ...(unloaded.sync && { sync: unloaded.sync }),
          // This build's finalize always cleans up; an older worker's (an unversioned fleet mid-upgrade) only when asked.
          cleanup: true,
          parts: { attempt: done.attempt, epoch: done.epoch, ...(lastTry && { lastTry }), ...(loadFirst && { loadFirst }) },
        },
      ]);
    };
    // The registry's proof is finalize's first step; staging that disagrees with the manifest is loaded again once.
    let published: FinalizeResult;
    try {
      published = await finalizeWith(loaded.done);
    } catch (err) {
      const disagreement = partsDisagreement(err);
      if (disagreement === undefined) throw err;
      progress.phase = 'loading';
      const again = await loaded.again(disagreement);
      progress.phase = 'finalizing';
      published = await finalizeWith(again, true);
    }
    if (loaded.done.loadFirst && progress.partsDone === 0) {
      progress.partsDone = parts;
      progress.rowsLoaded = published.rows;
      progress.bytesLoaded = unloaded.bytes;
    }
    const finalizeMs = clock.lap();

    progress.phase = 'done';
    setCurrentDetails(`done: ${formatCount(published.rows)} rows`);
    return {
      source: plan.source.label,
      target: input.target.table,
      mode: plan.target.mode,
      rows: published.rows,
      publish: published.publish,
      lockedMs: published.lockedMs,
      bytes: unloaded.bytes,
      parts,
      partsSkipped: progress.partsSkipped,
      incremental: plan.source.incremental,
      ...(plan.target.created && { created: plan.target.created }),
      ...(plan.target.addColumns && { columnsAdded: plan.target.addColumns.map((c) => c.name) }),
      ...(unloaded.sync && { sync: syncResult(unloaded.sync, unloaded.rows, published.sync) }),
      durationsMs: { prepare: prepareMs, unload: loaded.unloadMs, load: loaded.loadMs, finalize: finalizeMs, total: clock.total() },
    };
  } catch (err) {
    if (isCancellation(err)) {
      progress.phase = 'cancelled';
      // The target is untouched; the staging table and unloaded files serve nobody.
      if (plan) await CancellationScope.nonCancellable(() => cleanup.executeWithOptions({ summary: 'cleanup after cancel' }, [plan!]));
      throw err;
    }
    progress.phase = 'failed';
    throw surfaceCause(err);
  }
}

/** What a sync moves, once its unload has compared. */
function syncStep(compared: SyncCompared): string {
  if (compared.fellBackToFull) return `copying every row: ${compared.reason}`;
  return `moving ${formatCount(compared.segmentsDiffering)} of ${formatCount(compared.segmentsCompared)} segments`;
}

/** What prepare planned; finalize may still insert, if the target changed, and its result says so. */
function publishSummary(plan: TransferPlan): string {
  const planned = plan.target.publish;
  if (!planned) return 'by insert';
  if (planned.path === 'swap') return 'by swap';
  return planned.reason ? `by insert: ${planned.reason}` : 'by insert';
}

interface LoadStep {
  plan: TransferPlan;
  progress: TransferProgress;
  maxParallelLoads: TableTransferOptions['load']['maxParallelLoads'];
  partsPerWorkflow: TableTransferOptions['load']['partsPerWorkflow'];
  unloadSummary: string;
  clock: ReturnType<typeof stopwatch>;
}

interface Loaded {
  unloaded: UnloadResult;
  /** The manifest's parts, loaded or skipped as empty. */
  parts: number;
  unloadMs: number;
  loadMs: number;
  /** Where the loads stand, for finalize's proof. */
  done: LoadsDone;
  /** The proof failed: load every part again. */
  again(reason: string): Promise<LoadsDone>;
  /** A run of parts with the names of its first and last, where this workflow knows them. */
  named(run: RegisteredRun): RegisteredRun;
}

const loadSummary = (part: NamedPart) => `load ${part.name} (${formatBytes(part.bytes)}${part.rows === undefined ? '' : `, ${formatCount(part.rows)} rows`})`;

/**
 * Loads each part as the unload registers it on the target, while the UNLOAD runs, then the
 * rest: the unload signals only how many there are; the first `partsPerWorkflow` load here,
 * the rest in child workflows of that many each (registered-loads.ts), and finalize proves
 * staging against the manifest with one query on the target. The part count is unknown until
 * the UNLOAD ends, so `progress.partsTotal` stays 0 until then; progress counts a child's
 * parts when it completes.
 */
async function unloadIntoRegistry({ plan, progress, maxParallelLoads, partsPerWorkflow, unloadSummary, clock }: LoadStep): Promise<Loaded> {
  const load = loadTargetOf(plan);
  const { workflowId, runId } = workflowInfo();
  let manifestRows: number | undefined;
  const describe = () =>
    manifestRows === undefined
      ? `unloading ${plan.source.label}; loaded ${progress.partsDone} part(s) so far, ${formatCount(progress.rowsLoaded)} rows (the total is known when the UNLOAD ends)`
      : `loaded ${progress.partsDone}/${progress.partsTotal} parts, ${formatCount(progress.rowsLoaded)} of ${formatCount(manifestRows)} rows`;
  // The parts this workflow loads itself come with their names and sizes, for summaries and runs of small parts.
  const names = new Map<string, NamedPart>();
  const nameParts = (attempt: number, named: NamedPart[] = []) => named.forEach((p) => names.set(`${attempt}/${p.ordinal}`, p));
  const nameOf = (part: RegisteredPart) => names.get(`${part.attempt}/${part.ordinal}`);
  const withNames = (run: RegisteredRun): RegisteredRun => {
    const first = nameOf({ attempt: run.attempt, ordinal: run.from })?.name;
    const last = nameOf({ attempt: run.attempt, ordinal: run.to - 1 })?.name;
    return first && last ? { ...run, names: [first, last] } : run;
  };
  const onLoadQueue = { taskQueue: plan.target.loadTaskQueue };
  const loads = registeredLoads({
    lanes: maxParallelLoads,
    partsPerWorkflow,
    sizeOf: (part) => nameOf(part)?.bytes,
    load: async (part, epoch) => {
      const named = nameOf(part);
      // An empty part has nothing to load: no activity for it (the proof expects none).
      if (named && (named.bytes === 0 || named.rows === 0)) return { rows: 0, bytes: named.bytes, skipped: 1, alreadyLoaded: false, durationMs: 0 };
      const summary = named ? loadSummary(named) : `load part ${part.ordinal} of attempt ${part.attempt}`;
      return loadPart.executeWithOptions({ summary, ...onLoadQueue }, [
        { load, registered: named ? { ...part, name: named.name } : part, ...(epoch > 0 && { epoch }) },
      ]);
    },
    loadRun: (run, epoch) => {
      // A run is made only of parts this workflow knows by name and size (registered-loads.ts).
      const named = Array.from({ length: run.to - run.from }, (_, i) => nameOf({ attempt: run.attempt, ordinal: run.from + i })!);
      const bytes = named.reduce((n, p) => n + p.bytes, 0);
      const rows = named.every((p) => p.rows !== undefined) ? `, ${formatCount(named.reduce((n, p) => n + p.rows!, 0))} rows` : '';
      const summary = `load ${named[0].name} … ${named[named.length - 1].name} (${named.length} parts, ${formatBytes(bytes)}${rows})`;
      return loadPart.executeWithOptions({ summary, ...onLoadQueue }, [{ load, registeredRun: withNames(run), ...(epoch > 0 && { epoch }) }]);
    },
    loadRange: (range) =>
      executeChild(loadPartRange, {
        workflowId: `${workflowId}/${runId}/parts-a${range.attempt}-e${range.epoch}-${range.from}`,
        staticSummary: `load parts ${range.from}–${range.to - 1} of unload attempt ${range.attempt} into ${plan.target.table.schema}.${plan.target.table.name}`,
        args: [{ load, taskQueue: plan.target.loadTaskQueue, range, lanes: maxParallelLoads }],
      }),
    reset: async (reason) => {
      await resetStaging.executeWithOptions({ summary: `reset staging: ${reason}` }, [{ load, reason }]);
    },
    onLoaded: (loaded) => {
      progress.partsDone += loaded.parts;
      progress.partsSkipped += loaded.skipped;
      progress.rowsLoaded += loaded.rows;
      progress.bytesLoaded += loaded.bytes;
      setCurrentDetails(describe());
    },
    onReset: () => {
      progress.partsDone = 0;
      progress.partsSkipped = 0;
      progress.rowsLoaded = 0;
      progress.bytesLoaded = 0;
    },
  });
  setHandler(partsRegisteredSignal, ({ attempt, registered, named }) => {
    nameParts(attempt, named);
    loads.registered(attempt, registered);
  });
  const quietly = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (err) {
      // Loads in flight finish (or finish cancelling) before the run fails or cleans up.
      await CancellationScope.nonCancellable(() => loads.quiet());
      throw err;
    }
  };
  return quietly(
    (async () => {
      const unloaded = await unload.executeWithOptions({ summary: unloadSummary }, [{ ...plan, partsRegistry: { signalEvery: partsPerWorkflow } }]);
      const unloadMs = clock.lap();
      if (unloaded.attempt === undefined || unloaded.partsRegistered === undefined) {
        throw ApplicationFailure.nonRetryable(
          'the unload activity did not register its parts: the worker runs an older ferry than this workflow; deploy one version to every worker',
          FailureType.config,
        );
      }
      nameParts(unloaded.attempt, unloaded.named);
      if (unloaded.sync) progress.sync = syncStep(unloaded.sync);
      progress.phase = 'loading';
      progress.partsTotal = unloaded.partsRegistered;
      manifestRows = unloaded.rows;
      setCurrentDetails(describe());
      const done = await loads.finish(unloaded.attempt, unloaded.partsRegistered);
      return {
        unloaded,
        parts: unloaded.partsRegistered,
        unloadMs,
        loadMs: clock.lap(),
        done,
        again: (reason: string) => quietly(loads.again(reason)),
        named: withNames,
      };
    })(),
  );
}

/** The message of finalize's PartsDisagree failure: the registry's proof found staging unlike the manifest. */
function partsDisagreement(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === FailureType.partsDisagree ? cause.message : undefined;
}

/** Workflow time is deterministic (it is the time of the current workflow task). */
function stopwatch() {
  const start = Date.now();
  let last = start;
  return {
    lap() {
      const now = Date.now();
      const ms = now - last;
      last = now;
      return ms;
    },
    total: () => Date.now() - start,
  };
}
