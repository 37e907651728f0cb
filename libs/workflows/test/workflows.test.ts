import path from 'node:path';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { FerryActivities, LoadPartInput, Part, TransferPlan } from '@ferry/contract';
import type { PipelineRunResult } from '@ferry/workflows';

// The workflows with mocked activities on a dev server of their own (the Temporal CLI that
// `npm run setup` builds; nothing is downloaded): what they schedule, in which order, and
// what they make of the activities' results and failures — without any database or S3.
const temporalCli = path.resolve(__dirname, '../../../.tools/bin/temporal');

const part = (n: number, rows = 10): Part => ({ key: `run/attempt-1/000${n}_part_00.gz`, name: `000${n}_part_00.gz`, bytes: 100 * n, rows, etag: `e${n}` });

function planFor(target: string): TransferPlan {
  const [schema, name] = target.split('.');
  return {
    runId: 'r',
    source: { connection: 'redshift', label: `src.${name}`, select: 'SELECT 1' },
    target: {
      connection: 'postgres',
      table: { schema, name },
      staging: { schema: 'ferry_staging', name: `${schema}__${name}` },
      columns: ['id'],
      mode: 'replace',
      loadMethod: 'copy',
      loadTaskQueue: 'unused',
    },
    s3: { bucket: 'b', folder: 'f', prefix: 'f/r' },
    unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
  };
}

type Calls = { activity: string; detail: string }[];

/** Mocked activities: each call recorded; `fail` makes prepare fail for a target. */
function mockActivities(
  calls: Calls,
  options: { manifest: Part[]; signalled?: Part[]; failPrepare?: Record<string, ApplicationFailure> },
): Partial<FerryActivities> {
  return {
    async prepare(input) {
      calls.push({ activity: 'prepare', detail: input.target.table });
      const failure = options.failPrepare?.[input.target.table];
      if (failure) throw failure;
      return { ...planFor(input.target.table), target: { ...planFor(input.target.table).target, loadTaskQueue: Context.current().info.taskQueue } };
    },
    async unload(plan) {
      calls.push({ activity: 'unload', detail: plan.target.table.name });
      const { workflowId, runId } = Context.current().info.workflowExecution!;
      if (options.signalled?.length) {
        // As the real unload does: signal parts complete while the UNLOAD runs.
        await Context.current()
          .client.workflow.getHandle(workflowId, runId)
          .signal('partsUnloaded', { attempt: 1, parts: options.signalled.map((p) => ({ key: p.key, name: p.name, bytes: p.bytes, etag: p.etag! })) });
      }
      const parts = options.manifest;
      return { attempt: 1, parts, rows: parts.reduce((n, p) => n + p.rows, 0), bytes: parts.reduce((n, p) => n + p.bytes, 0), durationMs: 1 };
    },
    async loadPart(input: LoadPartInput) {
      calls.push({ activity: 'loadPart', detail: input.part.name });
      const p = options.manifest.find((m) => m.key === input.part.key)!;
      return { rows: p.rows, bytes: p.bytes, etag: p.etag, alreadyLoaded: false, durationMs: 1 };
    },
    async finalize(input) {
      calls.push({ activity: 'finalize', detail: `${input.manifestRows}/${input.importedRows}` });
      return { rows: input.importedRows, publish: { path: 'swap' }, lockedMs: 1, durationMs: 1 };
    },
    async cleanup(plan) {
      calls.push({ activity: 'cleanup', detail: plan.target.table.name });
      return { objectsDeleted: 0 };
    },
  };
}

// Starting a dev server and bundling the workflows take seconds on a busy machine.
jest.setTimeout(60_000);

describe('workflows with mocked activities', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundle;

  beforeAll(async () => {
    // Warnings and errors only: the workers' state changes would drown the test output.
    const logger = new DefaultLogger('WARN');
    Runtime.install({ logger });
    workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('@ferry/workflows'), logger });
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCli },
        extraArgs: ['--search-attribute', 'FerryTable=Keyword', '--search-attribute', 'FerryPipeline=Keyword', '--headless'],
      },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  let queue = 0;
  async function withWorker<T>(activities: Partial<FerryActivities>, fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = `wf-test-${++queue}`;
    // Heartbeats reach the server at once, so a cancellation reaches a running activity at once.
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities, maxHeartbeatThrottleInterval: '100ms' });
    return worker.runUntil(fn(taskQueue));
  }

  it('tableTransfer: parts signalled during the UNLOAD load then, the rest after it; finalize gets both counts', async () => {
    const calls: Calls = [];
    const manifest = [part(1), part(2), part(3, 0)];
    const result = await withWorker(mockActivities(calls, { manifest, signalled: [part(1)] }), (taskQueue) =>
      env.client.workflow.execute('tableTransfer', {
        taskQueue,
        workflowId: 'transfer-ok',
        args: [{ source: { connection: 'redshift', table: 'src.t' }, target: { connection: 'postgres', table: 'public.t' } }],
      }),
    );
    expect(result).toMatchObject({ rows: 20, parts: 3, partsSkipped: 1, mode: 'replace', publish: { path: 'swap' } });
    expect(calls.map((c) => `${c.activity} ${c.detail}`)).toEqual([
      'prepare public.t',
      'unload t',
      'loadPart 0001_part_00.gz',
      'loadPart 0002_part_00.gz',
      'finalize 20/20',
    ]);
    // The signalled part was loaded before the unload activity completed.
    const events = (await env.client.workflow.getHandle('transfer-ok').fetchHistory()).events ?? [];
    const firstLoad = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadPart');
    const unloaded = events.findIndex(
      (e) =>
        e.activityTaskCompletedEventAttributes &&
        events.find((s) => s.eventId?.toString() === e.activityTaskCompletedEventAttributes!.scheduledEventId?.toString())?.activityTaskScheduledEventAttributes
          ?.activityType?.name === 'unload',
    );
    expect(firstLoad).toBeGreaterThan(-1);
    expect(firstLoad).toBeLessThan(unloaded);
  });

  it("tableTransfer: a non-retryable activity failure becomes the workflow's own failure, message and type first", async () => {
    const calls: Calls = [];
    const failPrepare = { 'public.t': ApplicationFailure.nonRetryable('target table public.t does not exist: create it', 'TargetNotFound') };
    const err = await withWorker(mockActivities(calls, { manifest: [], failPrepare }), (taskQueue) =>
      env.client.workflow
        .execute('tableTransfer', {
          taskQueue,
          workflowId: 'transfer-fail',
          args: [{ source: { connection: 'redshift', table: 'src.t' }, target: { connection: 'postgres', table: 'public.t' } }],
        })
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect([cause.type, cause.message, cause.nonRetryable]).toEqual(['TargetNotFound', 'target table public.t does not exist: create it', true]);
    expect(calls.map((c) => c.activity)).toEqual(['prepare']);
  });

  it('tableTransfer: invalid input fails InvalidInput before any activity', async () => {
    const calls: Calls = [];
    const err = await withWorker(mockActivities(calls, { manifest: [] }), (taskQueue) =>
      env.client.workflow
        .execute('tableTransfer', {
          taskQueue,
          workflowId: 'transfer-invalid',
          args: [{ source: { connection: 'redshift' }, target: { connection: 'postgres', table: 'public.t' } }],
        })
        .catch((e: unknown) => e),
    );
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe('InvalidInput');
    expect(calls).toEqual([]);
  });

  it('pipelineRun: a failed table skips its dependents, the others load, and the run fails PipelineFailed with every outcome', async () => {
    const calls: Calls = [];
    const failPrepare = { 'public.b': ApplicationFailure.nonRetryable('column "x" would lose values', 'TypeMismatch') };
    const table = (name: string, dependsOn: string[] = []) => ({
      name,
      dependsOn,
      source: { connection: 'redshift', table: `src.${name}` },
      target: { connection: 'postgres', table: `public.${name}` },
    });
    const err = await withWorker(mockActivities(calls, { manifest: [part(1)], failPrepare }), (taskQueue) =>
      env.client.workflow
        .execute('pipelineRun', {
          taskQueue,
          workflowId: 'pipeline',
          args: [{ name: 'p', maxParallelTables: 1, tables: [table('a'), table('b'), table('c', ['b']), table('d', ['a'])] }],
        })
        .catch((e: unknown) => e),
    );
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('PipelineFailed');
    expect(cause.message).toBe('pipeline p: 1 table(s) failed: b (column "x" would lose values); skipped: c');
    const outcome = cause.details![0] as PipelineRunResult;
    expect(outcome.tables.map((t) => [t.name, t.status, t.reason ?? null])).toEqual([
      ['a', 'succeeded', null],
      ['b', 'failed', 'column "x" would lose values'],
      ['c', 'skipped', 'b failed'],
      ['d', 'succeeded', null],
    ]);
    // maxParallelTables 1: one table at a time, in pipeline order as dependencies allow.
    expect(calls.filter((c) => c.activity === 'prepare').map((c) => c.detail)).toEqual(['public.a', 'public.b', 'public.d']);
  });

  it('tableTransfer: a cancelled run waits for the running load to stop, then cleans up, and nothing is finalized', async () => {
    const calls: Calls = [];
    const mocks = mockActivities(calls, { manifest: [part(1)] });
    let loadStarted!: () => void;
    const started = new Promise<void>((r) => (loadStarted = r));
    // A load that runs until it is cancelled, heartbeating as the real one does.
    mocks.loadPart = async (input) => {
      calls.push({ activity: 'loadPart', detail: input.part.name });
      loadStarted();
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(100);
      }
    };
    const err = await withWorker(mocks, async (taskQueue) => {
      const handle = await env.client.workflow.start('tableTransfer', {
        taskQueue,
        workflowId: 'transfer-cancel',
        args: [{ source: { connection: 'redshift', table: 'src.t' }, target: { connection: 'postgres', table: 'public.t' } }],
      });
      await started;
      await handle.cancel();
      return handle.result().catch((e: unknown) => e);
    });
    expect((err as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    expect(calls.map((c) => c.activity)).toEqual(['prepare', 'unload', 'loadPart', 'cleanup']);
  });

  /** Every run of a workflow, first to last, following each continue-as-new; with each run's history length. */
  async function runsOf(workflowId: string, firstRunId: string): Promise<{ runId: string; events: number; continued: boolean }[]> {
    const runs: { runId: string; events: number; continued: boolean }[] = [];
    for (let runId: string | undefined = firstRunId; runId;) {
      const history: { events?: { workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null }[] | null } =
        await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      const next: string | undefined = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      runs.push({ runId, events: events.length, continued: next !== undefined });
      runId = next;
    }
    return runs;
  }

  const pipelineTable = (name: string, dependsOn: string[] = []) => ({
    name,
    dependsOn,
    source: { connection: 'redshift', table: `src.${name}` },
    target: { connection: 'postgres', table: `public.${name}` },
  });

  it('pipelineRun: a full history continues as new; every table runs once, and a failure skips its dependents across the boundary', async () => {
    const calls: Calls = [];
    const failPrepare = { 'public.t03': ApplicationFailure.nonRetryable('column "x" would lose values', 'TypeMismatch') };
    const names = Array.from({ length: 12 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
    // t11 depends on t03, which fails in the first run; t12 on t01, which succeeds there.
    const tables = names.map((n) => pipelineTable(n, n === 't11' ? ['t03'] : n === 't12' ? ['t01'] : []));
    const { err, firstRunId } = await withWorker(mockActivities(calls, { manifest: [part(1)], failPrepare }), async (taskQueue) => {
      const handle = await env.client.workflow.start('pipelineRun', {
        taskQueue,
        workflowId: 'pipeline-continues',
        args: [{ name: 'p', maxParallelTables: 2, historyLimit: { events: 20, bytes: 1024 * 1024 }, tables }],
      });
      return { err: await handle.result().catch((e: unknown) => e), firstRunId: handle.firstExecutionRunId };
    });
    const runs = await runsOf('pipeline-continues', firstRunId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.slice(0, -1).every((r) => r.continued)).toBe(true);
    // A run starts no table past the limit; the (at most two) running then end in it, about seven events each.
    for (const r of runs) expect(r.events).toBeLessThan(20 + 2 * 8 + 5);

    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('PipelineFailed');
    expect(cause.message).toBe('pipeline p: 1 table(s) failed: t03 (column "x" would lose values); skipped: t11');
    const outcome = cause.details![0] as PipelineRunResult;
    expect(outcome.tables.map((t) => [t.name, t.status])).toEqual(names.map((n) => [n, n === 't03' ? 'failed' : n === 't11' ? 'skipped' : 'succeeded']));
    // What earlier runs' children reported is handed on: every succeeded table has its rows.
    expect(outcome.tables.filter((t) => t.status === 'succeeded').every((t) => t.rows === 10)).toBe(true);
    const prepared = calls.filter((c) => c.activity === 'prepare').map((c) => c.detail);
    expect([...prepared].sort()).toEqual(names.filter((n) => n !== 't11').map((n) => `public.${n}`));
  });

  it('pipelineRun: a cancellation reaches a run that continued as new, and no table starts after it', async () => {
    const calls: Calls = [];
    const mocks = mockActivities(calls, { manifest: [part(1)] });
    let blocked!: () => void;
    const reached = new Promise<void>((r) => (blocked = r));
    const prepare = mocks.prepare!;
    // The sixth table's prepare runs until it is cancelled.
    mocks.prepare = async (input) => {
      if (input.target.table !== 'public.t6') return prepare(input);
      calls.push({ activity: 'prepare', detail: input.target.table });
      blocked();
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(100);
      }
    };
    const names = Array.from({ length: 8 }, (_, i) => `t${i + 1}`);
    const { err, firstRunId } = await withWorker(mocks, async (taskQueue) => {
      const handle = await env.client.workflow.start('pipelineRun', {
        taskQueue,
        workflowId: 'pipeline-cancel',
        args: [{ name: 'p', maxParallelTables: 1, historyLimit: { events: 20, bytes: 1024 * 1024 }, tables: names.map((n) => pipelineTable(n)) }],
      });
      await reached;
      // By workflow id: the latest run, whichever it is.
      await env.client.workflow.getHandle('pipeline-cancel').cancel();
      return {
        err: await env.client.workflow
          .getHandle('pipeline-cancel')
          .result()
          .catch((e: unknown) => e),
        firstRunId: handle.firstExecutionRunId,
      };
    });
    expect((await runsOf('pipeline-cancel', firstRunId)).length).toBeGreaterThanOrEqual(2);
    expect((err as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    expect(calls.filter((c) => c.activity === 'prepare').map((c) => c.detail)).toEqual(names.slice(0, 6).map((n) => `public.${n}`));
  });
});
