import type { Context as ActivityContext } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { Runtime, type ActivityInterceptors, type ActivityInterceptorsFactory } from '@temporalio/worker';
import { isObj, transferFields, type Obj, type TransferFields } from './transfer-fields';

/** ferry's own Prometheus metrics (exported next to the SDK's `temporal_*` metrics). */
export const METRICS = {
  rowsLoaded: 'ferry_rows_loaded_total',
  bytesLoaded: 'ferry_bytes_loaded_total',
  partsLoaded: 'ferry_parts_loaded_total',
  rowsPublished: 'ferry_rows_published_total',
} as const;

/** The numbers worth a log line from an activity's result (never the result itself: a plan is long). */
function outcome(result: unknown): Obj {
  if (!isObj(result)) return {};
  const out: Obj = {};
  for (const key of ['rows', 'bytes', 'objectsDeleted'] as const) if (typeof result[key] === 'number') out[key] = result[key];
  if (typeof result.alreadyLoaded === 'boolean') out.alreadyLoaded = result.alreadyLoaded;
  if (Array.isArray(result.parts)) out.parts = result.parts.length;
  return out;
}

type Counters = ReturnType<typeof createCounters>;

function createCounters(meter: MetricMeter) {
  return {
    rowsLoaded: meter.createCounter(METRICS.rowsLoaded, 'rows', 'Rows COPYed into staging tables by part loads'),
    bytesLoaded: meter.createCounter(METRICS.bytesLoaded, 'bytes', 'Bytes of unloaded parts (as stored in S3) loaded into staging tables'),
    partsLoaded: meter.createCounter(METRICS.partsLoaded, 'parts', 'Parts loaded into staging tables'),
    rowsPublished: meter.createCounter(METRICS.rowsPublished, 'rows', 'Rows written to target tables by finalize (replace, append or upsert)'),
  };
}

/** Counts what an activity moved: loadPart's rows, bytes and parts, finalize's (and a small table's) published rows. */
function record(counters: Counters, ctx: ActivityContext, fields: TransferFields, result: unknown): void {
  if (!isObj(result) || typeof result.rows !== 'number') return;
  // Labelled like the SDK's own metrics (snake_case), plus the target.
  const tags = {
    namespace: ctx.info.namespace,
    task_queue: ctx.info.taskQueue,
    activity_type: ctx.info.activityType,
    target_connection: fields.connection ?? '',
    target_table: fields.table ?? '',
  };
  switch (ctx.info.activityType) {
    case 'loadPart':
      // A retry that finds its part in the ledger loaded nothing: the attempt that did counted it.
      // A run of parts says what it loaded itself; an empty part skipped loaded nothing.
      if (result.alreadyLoaded === true || (typeof result.skipped === 'number' && result.skipped > 0 && !isLoaded(result.fresh))) return;
      if (isLoaded(result.fresh)) countLoaded(counters, result.fresh, tags);
      else countLoaded(counters, { parts: 1, rows: result.rows, bytes: typeof result.bytes === 'number' ? result.bytes : 0 }, tags);
      return;
    case 'finalize':
    case 'transferSmallTable':
      counters.rowsPublished.add(result.rows, tags);
      // A tiny table's parts load in finalize, a small table's in its one activity.
      if (isLoaded(result.loaded)) countLoaded(counters, result.loaded, tags);
      return;
  }
}

interface Loaded {
  parts: number;
  rows: number;
  bytes: number;
}

const isLoaded = (v: unknown): v is Loaded => isObj(v) && typeof v.parts === 'number' && typeof v.rows === 'number' && typeof v.bytes === 'number';

function countLoaded(counters: Counters, loaded: Loaded, tags: Record<string, string>): void {
  counters.rowsLoaded.add(loaded.rows, tags);
  counters.bytesLoaded.add(loaded.bytes, tags);
  counters.partsLoaded.add(loaded.parts, tags);
}

/**
 * Activity interceptors that put the transfer (`run`, `table`, `connection`, `part`) on every
 * line an activity logs — the SDK's own lines included — log each activity's start and
 * completion with its duration and row counts, and count rows, bytes and parts loaded on the
 * Runtime's metric meter (so they leave through its Prometheus exporter, if any).
 *
 * Lines go to the Runtime's logger (`Runtime.install({ logger })`), so the process that
 * installs the Runtime decides where and at which level: JSON via TemporalPinoLogger in the
 * worker app, nothing below ERROR in the tests' in-process workers.
 */
export function transferActivityInterceptors(options: { metricMeter?: MetricMeter } = {}): ActivityInterceptorsFactory {
  // The Runtime's meter, not the activity context's: that one adds camelCase `taskQueue` and
  // `activityType` labels next to the SDK metrics' `task_queue` and `activity_type`.
  // Created on first use: the Runtime may be installed after the interceptors are.
  let counters: Counters | undefined;
  const countersNow = () => (counters ??= createCounters(options.metricMeter ?? Runtime.instance().metricMeter));
  return (ctx: ActivityContext): ActivityInterceptors => {
    let fields: TransferFields = {};
    return {
      inbound: {
        async execute(input, next) {
          fields = transferFields(input.args);
          const started = performance.now();
          ctx.log.info('activity started');
          // Failures are logged by the SDK ("Activity failed", WARN, with error and durationMs),
          // with the same fields.
          const result = await next(input);
          ctx.log.info('activity completed', { durationMs: Math.round(performance.now() - started), ...outcome(result) });
          record(countersNow(), ctx, fields, result);
          return result;
        },
      },
      outbound: {
        getLogAttributes(attrs, next) {
          const { taskToken: _token, isLocal: _local, activityType, workflowRunId, ...rest } = next(attrs);
          return { ...rest, activity: activityType, run: workflowRunId, ...fields };
        },
      },
    };
  };
}
