import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { FailureType, PROGRESS_QUERY, smallTableRunId, type FerryActivities, type SmallTableResult } from '@ferry/contract';
import { expandPipeline, formatPath, prepareInputOf, resolvePipeline, type PipelineInput, type PipelineTable, type ResolvedPipeline } from '@ferry/pipeline';
import { formatCount } from './format';
import { ferrySearchAttributes } from './search-attributes';
import { tableScheduler, type TableState, type TableStatus } from './table-scheduler';
import { tableTransfer } from './table-transfer';
import { fromRanges, toRanges } from './number-ranges';

export type { TableStatus } from './table-scheduler';

export interface TableOutcome {
  name: string;
  target: string;
  status: TableStatus;
  /** The table's child `tableTransfer` workflow (none ran if it moved as a small table). */
  workflowId: string;
  /** `activity`: a small table, moved by one activity of the pipeline's own workflow. */
  ranAs?: 'activity';
  rows?: number;
  durationMs?: number;
  /** Why it failed, or why it was skipped. */
  reason?: string;
}

export interface PipelineRunResult {
  name: string;
  succeeded: number;
  failed: number;
  skipped: number;
  /** Rows the succeeded tables published (those of earlier runs included). */
  rows: number;
  durationMs: number;
  /** Every table, or for a pipeline of more than `listedTables` the first that many: failed, skipped and running first. */
  tables: TableOutcome[];
  /** Tables `tables` leaves out. */
  unlisted?: number;
}

/** A failure message names at most this many failed (and skipped) tables. */
const NAMED_TABLES = 20;

/** What `temporal workflow query --name progress` returns for a pipeline. */
export type PipelineProgress = PipelineRunResult & { running: number; pending: number };

export const pipelineProgressQuery = defineQuery<PipelineProgress>(PROGRESS_QUERY);

/**
 * What a run hands on when it continues as new: the tables discovery found (so every run
 * expands the same ones), when the pipeline started, and every table that has ended, with what
 * its child reported — about 100 bytes a table. A pipeline of more than `listedTables` tables
 * hands on its succeeded tables only as number ranges and their rows, a few bytes in all: its
 * result cannot list them anyway.
 */
export interface PipelineCarry {
  startedAt: number;
  found?: Record<string, string[]>;
  ended: Record<string, TableState & { rows?: number; durationMs?: number; ranAs?: 'activity' }>;
  /** Succeeded tables by their number in the pipeline, as [from, to) pairs, and the rows they published. */
  succeeded?: { ranges: number[]; rows: number };
  /** Runs before this one. */
  runs: number;
}

const { discoverTables } = proxyActivities<FerryActivities>({ startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } });

// As the table workflow's unload and loads: heartbeats notice a dead worker, cancellation waits for the database side.
const { transferSmallTable } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', maximumAttempts: 10 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/**
 * Runs a pipeline's tables: a small one (by the source's estimate, `smallTables.maxRows`) in one
 * `transferSmallTable` activity, any other as a child `tableTransfer` workflow. A table starts once every table
 * it depends on has succeeded, at most `maxParallelTables` at a time. A failed table skips its
 * dependents (and, with onFailure "stop", everything not yet started); the others go on. The
 * run fails (PipelineFailed, the outcomes in its details) if any table failed or was skipped.
 */
export async function pipelineRun(input: PipelineInput, carried?: PipelineCarry): Promise<PipelineRunResult> {
  if (input && typeof input === 'object' && ('connections' in input || 's3' in input)) {
    throw ApplicationFailure.nonRetryable(
      'invalid pipelineRun input: it may not carry connections or s3 (they would be stored in workflow history; the worker uses its own config): remove them from the input, or start the file with `ferry run`, which leaves them out',
      FailureType.invalidInput,
    );
  }
  // Defaults are filled in here, so a run started from a raw document depends on them at
  // replay: changing a default needs patched() (ferry run sends every value explicitly).
  const resolved = resolvePipeline(input);
  if (!resolved.ok) {
    const problems = resolved.problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`invalid pipelineRun input: ${problems}`, FailureType.invalidInput);
  }
  const { pipeline, found } = await expandDiscoveries(resolved.pipeline, carried?.found);
  const started = carried?.startedAt ?? Date.now();
  const ended: Record<string, TableState> = Object.fromEntries(
    Object.entries(carried?.ended ?? {}).map(([name, e]) => [name, { status: e.status, ...(e.reason !== undefined && { reason: e.reason }) }]),
  );
  for (const n of fromRanges(carried?.succeeded?.ranges ?? [])) ended[pipeline.tables[n].name] = { status: 'succeeded' };
  const rowsBefore = carried?.succeeded?.rows ?? 0;
  const scheduler = tableScheduler(pipeline.tables, { maxParallel: pipeline.maxParallelTables, onFailure: pipeline.onFailure }, ended);
  /** What the children reported; status and reason are the scheduler's. */
  const reported = new Map<string, { rows?: number; durationMs?: number; ranAs?: 'activity' }>(
    pipeline.tables.map((t) => {
      const e = carried?.ended[t.name];
      return [
        t.name,
        {
          ...(e?.rows !== undefined && { rows: e.rows }),
          ...(e?.durationMs !== undefined && { durationMs: e.durationMs }),
          ...(e?.ranAs && { ranAs: e.ranAs }),
        },
      ];
    }),
  );
  // Runs recorded before pipelines continued as new replay without the check.
  const mayContinue = patched('pipeline-continue-as-new');
  const historyFull = () => {
    const info = workflowInfo();
    return mayContinue && (info.historyLength >= pipeline.historyLimit.events || info.historySize >= pipeline.historyLimit.bytes);
  };
  const outcomes = (): TableOutcome[] =>
    pipeline.tables.map((t) => ({
      name: t.name,
      target: t.transfer.target.table,
      workflowId: childId(t),
      ...scheduler.state(t.name),
      ...reported.get(t.name),
    }));
  const result = (): PipelineRunResult => {
    const all = outcomes();
    const tables = all.length <= pipeline.listedTables ? all : firstListed(all, pipeline.listedTables);
    return {
      name: pipeline.name,
      succeeded: scheduler.count('succeeded'),
      failed: scheduler.count('failed'),
      skipped: scheduler.count('skipped'),
      rows: all.reduce((n, t) => n + (t.rows ?? 0), rowsBefore),
      durationMs: Date.now() - started,
      tables,
      ...(tables.length < all.length && { unlisted: all.length - tables.length }),
    };
  };
  setHandler(pipelineProgressQuery, () => ({ ...result(), running: scheduler.count('running'), pending: scheduler.count('pending') }));
  // Kept as tables start and end: a pipeline of thousands of tables is not scanned at every end.
  const running = new Set<string>();
  const showDetails = () => {
    setCurrentDetails(
      `${pipeline.name}: ${scheduler.count('succeeded')}/${pipeline.tables.length} tables done, ${scheduler.count('failed')} failed, ${scheduler.count('skipped')} skipped` +
        (running.size > 0 ? `; running ${[...running].join(', ')}` : ''),
    );
  };

  // Bumped whenever a table ends: the scheduling loop sleeps until it changes.
  let endedCount = 0;
  // Runs recorded before small tables moved in one activity replay their children.
  const smallTables = patched('small-tables-in-activity') && pipeline.smallTables.maxRows > 0;
  const numberOf = new Map(pipeline.tables.map((t, i) => [t.name, i]));
  const transfer = async (table: PipelineTable) => {
    running.add(table.name);
    showDetails();
    const tableStarted = Date.now();
    try {
      if (smallTables && table.transfer.source.table !== undefined) {
        const report = reported.get(table.name)!;
        report.ranAs = 'activity';
        const r = await moveIfSmall(table, numberOf.get(table.name)!, pipeline.smallTables.maxRows);
        if ('rows' in r) {
          report.rows = r.rows;
          scheduler.succeeded(table.name);
          return;
        }
        delete report.ranAs;
      }
      const r = await executeChild(tableTransfer, {
        workflowId: childId(table),
        args: [table.transfer],
        staticSummary: `${table.transfer.source.table ?? 'query'} → ${table.transfer.target.table} (${table.transfer.target.mode})`,
        typedSearchAttributes: ferrySearchAttributes({ table: table.transfer.target.table, pipeline: pipeline.name }),
      });
      reported.get(table.name)!.rows = r.rows;
      scheduler.succeeded(table.name);
    } catch (err) {
      // Never rethrown: the pipeline's own cancellation reaches its conditions below, and a
      // child cancelled on its own (from the UI) is that table's failure.
      scheduler.failed(table.name, isCancellation(err) ? 'cancelled' : rootMessage(err));
    } finally {
      reported.get(table.name)!.durationMs = Date.now() - tableStarted;
      running.delete(table.name);
      endedCount++;
      showDetails();
    }
  };

  let continuing = false;
  // A run starts at least one table before it may continue: a carry larger than the limit cannot loop.
  let startedHere = 0;
  try {
    for (;;) {
      // A full history starts nothing new: the running tables end here, then the run continues as new.
      if (startedHere > 0 && historyFull()) {
        continuing = true;
        break;
      }
      // transfer() never rejects, so nothing is left unhandled.
      for (const table of scheduler.startable()) {
        startedHere++;
        void transfer(table);
      }
      if (scheduler.allStarted) break;
      const seen = endedCount;
      await condition(() => endedCount !== seen);
    }
    // A condition, not a wait on the children: it is where a cancellation of the run arrives.
    await condition(() => scheduler.count('running') === 0);
  } catch (err) {
    if (isCancellation(err)) {
      // Children are cancelled with the run; wait until their cleanup has finished.
      await CancellationScope.nonCancellable(() => condition(() => scheduler.count('running') === 0));
    }
    throw err;
  }

  if (continuing && !scheduler.allStarted) {
    const runs = (carried?.runs ?? 0) + 1;
    setCurrentDetails(
      `${pipeline.name}: continuing as new (run ${runs + 1}) with ${Object.keys(scheduler.ended()).length}/${pipeline.tables.length} tables ended`,
    );
    const handOn: PipelineCarry = { startedAt: started, ...(found && { found }), ended: {}, runs };
    const byNumber = pipeline.tables.length > pipeline.listedTables;
    const succeeded: number[] = [];
    let rows = rowsBefore;
    pipeline.tables.forEach((t, n) => {
      const state = scheduler.state(t.name);
      if (state.status === 'pending' || state.status === 'running') return;
      if (byNumber && state.status === 'succeeded') {
        succeeded.push(n);
        rows += reported.get(t.name)?.rows ?? 0;
      } else handOn.ended[t.name] = { ...state, ...shortReason(state), ...reported.get(t.name) };
    });
    if (byNumber) handOn.succeeded = { ranges: toRanges(succeeded), rows };
    await continueAsNew<typeof pipelineRun>(input, handOn);
  }

  const final = result();
  setCurrentDetails(`${pipeline.name}: ${final.succeeded} tables loaded, ${formatCount(final.rows)} rows; ${final.failed} failed, ${final.skipped} skipped`);
  if (final.failed + final.skipped > 0) {
    const failed = final.tables.filter((t) => t.status === 'failed').map((t) => `${t.name} (${t.reason})`);
    const skipped = final.tables.filter((t) => t.status === 'skipped').map((t) => t.name);
    throw ApplicationFailure.create({
      message: `pipeline ${pipeline.name}: ${final.failed} table(s) failed: ${named(failed, final.failed, '; ')}${final.skipped > 0 ? `; skipped: ${named(skipped, final.skipped, ', ')}` : ''}`,
      type: FailureType.pipelineFailed,
      nonRetryable: true,
      details: [final],
    });
  }
  return final;
}

/**
 * Entries that name a schema become their tables now, from the source's catalog as it is at
 * this run (recorded in history, so a replay expands the same way).
 */
async function expandDiscoveries(
  pipeline: ResolvedPipeline,
  foundBefore: Record<string, string[]> | undefined,
): Promise<{ pipeline: ResolvedPipeline; found?: Record<string, string[]> }> {
  if (pipeline.discoveries.length === 0) return { pipeline };
  const found =
    foundBefore ??
    (await discoverTables.executeWithOptions({ summary: `discover tables of ${pipeline.discoveries.map((d) => d.source.schema).join(', ')}` }, [
      { entries: pipeline.discoveries.map((d) => ({ name: d.name, ...d.source })) },
    ]));
  const expanded = expandPipeline(pipeline, found);
  if (!expanded.ok) {
    const problems = expanded.problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`pipeline ${pipeline.name} after discovering its tables: ${problems}`, FailureType.invalidInput);
  }
  return { pipeline: expanded.pipeline, found };
}

function childId(table: PipelineTable): string {
  return `${workflowInfo().workflowId}:${table.name}`;
}

/** One activity moves the table if the source estimates it small; otherwise it says why not and changes nothing. */
function moveIfSmall(table: PipelineTable, number: number, maxRows: number): Promise<SmallTableResult> {
  const { workflowId, runId } = workflowInfo();
  const { source, target } = table.transfer;
  return transferSmallTable.executeWithOptions({ summary: `${source.table} → ${target.table} (${target.mode}), if small` }, [
    // The pipeline's run holds the target's lease: cancelling the pipeline is how a user stops it.
    { prepare: prepareInputOf(table.transfer, { workflowId, runId: smallTableRunId(runId, number) }), maxRows },
  ]);
}

/** The first NAMED_TABLES of a list, and how many more there are. */
function named(list: string[], total: number, separator: string): string {
  const shown = list.slice(0, NAMED_TABLES);
  return shown.join(separator) + (total > shown.length ? `${separator}and ${total - shown.length} more` : '');
}

const LIST_ORDER: TableStatus[] = ['failed', 'skipped', 'running', 'succeeded', 'pending'];

/** What a long pipeline's result lists: what needs attention first, each status in pipeline order. */
function firstListed(all: TableOutcome[], count: number): TableOutcome[] {
  return LIST_ORDER.flatMap((status) => all.filter((t) => t.status === status)).slice(0, count);
}

/** A reason handed on is cut at 500 characters: thousands of tables failing alike must not outgrow a payload (2 MB). */
function shortReason(state: TableState): Partial<TableState> {
  return state.reason && state.reason.length > 500 ? { reason: `${state.reason.slice(0, 500)}…` } : {};
}

/** The innermost message: a child's failure wraps the activity's, which says what went wrong. */
function rootMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
