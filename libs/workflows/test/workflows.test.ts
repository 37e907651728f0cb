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

interface MockOptions {
  manifest: Part[];
  /** Parts the unload reports while it runs (a prefix of the manifest). */
  signalled?: Part[];
  failPrepare?: Record<string, ApplicationFailure>;
  /** The unload's first attempt reports every part, waits until this many loads have started, then fails (retryably). */
  failFirstUnloadAfterLoads?: number;
  /** The first manifest proof (finalize's, over the registry) names this problem. */
  firstProofProblem?: string;
  /** The unload reports the parts' names and sizes (with the record counts in its result), as the real one does for the first partsPerWorkflow. */
  named?: boolean;
  /** Pipeline tables (by target) that move as small tables (7 rows), or whose one activity fails; any other is handed on. */
  small?: Record<string, 'small' | ApplicationFailure>;
}

/**
 * Mocked activities: each call recorded. A registry run's parts are the manifest's, numbered
 * in manifest order; the proof is made of the loads since the last reset.
 */
function mockActivities(calls: Calls, options: MockOptions): Partial<FerryActivities> {
  let loadsStarted = 0;
  let onLoadStarted: () => void = () => undefined;
  const loadsReach = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (loadsStarted >= n ? resolve() : undefined);
      const previous = onLoadStarted;
      onLoadStarted = () => {
        previous();
        check();
      };
      check();
    });
  /** Keys loaded since the last reset, by attempt: what the proof sees. */
  let loaded = new Map<string, Part>();
  let proofs = 0;
  const partsOf = (input: LoadPartInput): Part[] => {
    if ('registered' in input) return [options.manifest[input.registered.ordinal]];
    return options.manifest.slice(input.registeredRun.from, input.registeredRun.to);
  };
  const named = (parts: Part[], withRows: boolean) =>
    options.named ? { named: parts.map((p, ordinal) => ({ ordinal, name: p.name, bytes: p.bytes, ...(withRows && { rows: p.rows }) })) } : {};
  const bounded = async (wait: Promise<void>) => {
    // At most 10 s: a workflow that never loads early fails the test's assertion instead of hanging it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([wait, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
    clearTimeout(timer);
  };
  return {
    async prepare(input) {
      calls.push({ activity: 'prepare', detail: input.target.table });
      const failure = options.failPrepare?.[input.target.table];
      if (failure) throw failure;
      return { ...planFor(input.target.table), target: { ...planFor(input.target.table).target, loadTaskQueue: Context.current().info.taskQueue } };
    },
    async unload(plan) {
      const attempt = Context.current().info.attempt;
      calls.push({ activity: 'unload', detail: plan.target.table.name });
      const { workflowId, runId } = Context.current().info.workflowExecution!;
      const handle = Context.current().client.workflow.getHandle(workflowId, runId);
      const parts = options.manifest;
      const result = { attempt, rows: parts.reduce((n, p) => n + p.rows, 0), bytes: parts.reduce((n, p) => n + p.bytes, 0), durationMs: 1 };
      if (options.failFirstUnloadAfterLoads !== undefined && attempt === 1) {
        await handle.signal('partsRegistered', { attempt, registered: parts.length });
        await bounded(loadsReach(options.failFirstUnloadAfterLoads));
        throw new Error('the source connection was reset');
      }
      if (options.signalled?.length) {
        // As the real unload does: report parts while the UNLOAD runs, which runs on long after
        // its first part; returning at once let the signal and the completion reach one workflow task.
        await handle.signal('partsRegistered', { attempt, registered: options.signalled.length, ...named(options.signalled, false) });
        await bounded(loadsReach(1));
      }
      return { ...result, partsRegistered: parts.length, ...named(parts, true) };
    },
    async loadPart(input: LoadPartInput) {
      const parts = partsOf(input);
      calls.push({ activity: 'loadPart', detail: parts.map((p) => p.name).join(' ') });
      loadsStarted++;
      onLoadStarted();
      for (const p of parts) loaded.set(p.key, p);
      // As the real load: an empty part is skipped, and said to be.
      const skipped = parts.filter((p) => p.rows === 0).length;
      return { rows: parts.reduce((n, p) => n + p.rows, 0), bytes: parts.reduce((n, p) => n + p.bytes, 0), skipped, alreadyLoaded: false, durationMs: 1 };
    },
    async resetStaging(input) {
      calls.push({ activity: 'resetStaging', detail: input.reason });
      loaded = new Map();
      return { durationMs: 1 };
    },
    async finalize(input) {
      // A tiny table's parts: finalize loads them first.
      const first = input.parts.loadFirst;
      const firstParts = first ? options.manifest.slice(first.from, first.to) : [];
      for (const p of firstParts) loaded.set(p.key, p);
      const importedRows = first ? firstParts.reduce((n, p) => n + p.rows, 0) : input.importedRows;
      const registry = ` attempt ${input.parts.attempt} epoch ${input.parts.epoch}${first ? ` loading ${first.names!.join(' … ')}` : ''}`;
      calls.push({ activity: 'finalize', detail: `${input.manifestRows}/${importedRows}${registry}` });
      // The registry's proof: every loadable part loaded since the last reset.
      const missing = options.manifest.filter((m) => m.rows > 0 && !loaded.has(m.key)).map((m) => `${m.name} is in the manifest but was not loaded`);
      const problems = ++proofs === 1 && options.firstProofProblem ? [options.firstProofProblem, ...missing] : missing;
      if (problems.length > 0) {
        throw input.parts.lastTry
          ? ApplicationFailure.nonRetryable(`even after loading again: ${problems.join('; ')}`, 'VerificationFailed')
          : ApplicationFailure.nonRetryable(`the loaded parts disagree with the manifest: ${problems.join('; ')}`, 'PartsDisagree');
      }
      return { rows: importedRows, publish: { path: 'swap' }, lockedMs: 1, durationMs: 1 };
    },
    async cleanup(plan) {
      calls.push({ activity: 'cleanup', detail: plan.target.table.name });
      return { objectsDeleted: 0 };
    },
    async transferSmallTable({ prepare, maxRows }) {
      calls.push({ activity: 'transferSmallTable', detail: `${prepare.target.table} ≤ ${maxRows}` });
      const how = options.small?.[prepare.target.table];
      if (how instanceof ApplicationFailure) throw how;
      if (how !== 'small') return { handOff: 'not small' };
      return { rows: 7, bytes: 70, parts: 1, publish: { path: 'swap' }, lockedMs: 1, durationsMs: { prepare: 1, unload: 1, finalize: 1, total: 3 } };
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
    // Registered parts are loaded whatever their size (the real load skips an empty one); the proof runs in the target.
    // Loads of the manifest's rest run in parallel, in any order.
    expect(calls.map((c) => `${c.activity} ${c.detail}`).slice(0, 3)).toEqual(['prepare public.t', 'unload t', 'loadPart 0001_part_00.gz']);
    expect(
      calls
        .slice(3, 5)
        .map((c) => `${c.activity} ${c.detail}`)
        .sort(),
    ).toEqual(['loadPart 0002_part_00.gz', 'loadPart 0003_part_00.gz']);
    expect(calls.slice(5).map((c) => `${c.activity} ${c.detail}`)).toEqual(['finalize 20/20 attempt 1 epoch 0']);
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
    mocks.loadPart = async () => {
      calls.push({ activity: 'loadPart', detail: '' });
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

  const transferArgs = (load: Record<string, number>) => [
    { source: { connection: 'redshift', table: 'src.t' }, target: { connection: 'postgres', table: 'public.t' }, load },
  ];

  /** The loadPartRange children of a tableTransfer run, with each one's status, in start order. */
  async function childrenOf(workflowId: string): Promise<{ workflowId: string; status: string }[]> {
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const started = events.flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
    return Promise.all(started.map(async (id) => ({ workflowId: id, status: (await env.client.workflow.getHandle(id).describe()).status.name })));
  }
  const scheduled = async (workflowId: string, activity: string) =>
    ((await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
    ).length;

  it('tableTransfer: past partsPerWorkflow parts, child workflows load ranges of that many; every part once, the proof and finalize see them all', async () => {
    const calls: Calls = [];
    const manifest = Array.from({ length: 9 }, (_, i) => part(i + 1));
    const result = await withWorker(mockActivities(calls, { manifest, signalled: manifest.slice(0, 5) }), (taskQueue) =>
      env.client.workflow.execute('tableTransfer', {
        taskQueue,
        workflowId: 'transfer-ranges',
        args: transferArgs({ partsPerWorkflow: 2, maxParallelLoads: 2 }),
      }),
    );
    expect(result).toMatchObject({ rows: 90, parts: 9, partsSkipped: 0 });
    const loads = calls.filter((c) => c.activity === 'loadPart').map((c) => c.detail);
    expect([...loads].sort()).toEqual(manifest.map((p) => p.name));
    expect(calls.filter((c) => c.activity !== 'loadPart').map((c) => `${c.activity} ${c.detail}`)).toEqual([
      'prepare public.t',
      'unload t',
      'finalize 90/90 attempt 1 epoch 0',
    ]);
    // The table's own history holds two loads; seven parts went to ranges of two (the last of one).
    expect(await scheduled('transfer-ranges', 'loadPart')).toBe(2);
    const children = await childrenOf('transfer-ranges');
    expect(children.map((c) => c.workflowId.replace(/^.*\/parts-/, ''))).toEqual(['a1-e0-2', 'a1-e0-4', 'a1-e0-6', 'a1-e0-8']);
    expect(children.every((c) => c.status === 'COMPLETED')).toBe(true);
  });

  it('tableTransfer: small parts the workflow knows by name and size load in one activity, each part once; empty ones get no activity', async () => {
    const calls: Calls = [];
    const manifest = [part(1), part(2), part(3, 0), part(4), part(5)];
    const result = await withWorker(mockActivities(calls, { manifest, named: true }), (taskQueue) =>
      env.client.workflow.execute('tableTransfer', { taskQueue, workflowId: 'transfer-small-parts', args: transferArgs({ partsPerWorkflow: 3 }) }),
    );
    expect(result).toMatchObject({ rows: 40, parts: 5, partsSkipped: 1 });
    // The first three (this workflow's room) as one run; the empty third costs nothing in it; the last two in a child.
    const seen = calls.map((c) => `${c.activity} ${c.detail}`);
    expect(seen.slice(0, 3)).toEqual(['prepare public.t', 'unload t', 'loadPart 0001_part_00.gz 0002_part_00.gz 0003_part_00.gz']);
    expect(seen.slice(3, 5).sort()).toEqual(['loadPart 0004_part_00.gz', 'loadPart 0005_part_00.gz']);
    expect(seen.slice(5)).toEqual(['finalize 40/40 attempt 1 epoch 0']);
    const events = (await env.client.workflow.getHandle('transfer-small-parts').fetchHistory()).events ?? [];
    const summaries = events.flatMap((e) =>
      e.activityTaskScheduledEventAttributes?.activityType?.name === 'loadPart' && e.userMetadata?.summary?.data
        ? [JSON.parse(Buffer.from(e.userMetadata.summary.data).toString())]
        : [],
    );
    expect(summaries).toEqual(['load 0001_part_00.gz … 0003_part_00.gz (3 parts, 600 B, 20 rows)']);
  });

  it('tableTransfer: a tiny table (its parts 8 MB in all) loads in finalize: no loadPart at all, the proof and counts as usual', async () => {
    const calls: Calls = [];
    const manifest = [part(1), part(2), part(3)];
    const result = await withWorker(mockActivities(calls, { manifest, named: true }), (taskQueue) =>
      env.client.workflow.execute('tableTransfer', { taskQueue, workflowId: 'transfer-tiny', args: transferArgs({}) }),
    );
    expect(result).toMatchObject({ rows: 30, parts: 3 });
    expect(calls.map((c) => `${c.activity} ${c.detail}`)).toEqual([
      'prepare public.t',
      'unload t',
      'finalize 30/30 attempt 1 epoch 0 loading 0001_part_00.gz … 0003_part_00.gz',
    ]);
  });

  it('tableTransfer: an unload retried after its parts began loading in children resets staging and loads the new attempt, every part once', async () => {
    const calls: Calls = [];
    const manifest = Array.from({ length: 6 }, (_, i) => part(i + 1));
    const result = await withWorker(mockActivities(calls, { manifest, failFirstUnloadAfterLoads: 4 }), (taskQueue) =>
      env.client.workflow.execute('tableTransfer', {
        taskQueue,
        workflowId: 'transfer-unload-retry',
        args: transferArgs({ partsPerWorkflow: 2, maxParallelLoads: 1 }),
      }),
    );
    expect(result).toMatchObject({ rows: 60, parts: 6 });
    const resets = calls.filter((c) => c.activity === 'resetStaging').map((c) => c.detail);
    expect(resets).toEqual([expect.stringMatching(/^unload attempt 2 supersedes the parts of attempt 1/)]);
    // After the reset: every part of attempt 2 loaded once, proven in the reset's epoch.
    const afterReset = calls.slice(calls.findIndex((c) => c.activity === 'resetStaging') + 1);
    expect(
      afterReset
        .filter((c) => c.activity === 'loadPart')
        .map((c) => c.detail)
        .sort(),
    ).toEqual(manifest.map((p) => p.name));
    expect(afterReset.filter((c) => c.activity !== 'loadPart').map((c) => `${c.activity} ${c.detail}`)).toEqual(['finalize 60/60 attempt 2 epoch 1']);
    // Attempt 2's ranges are children of their own (the table's own room was spent on attempt 1).
    expect((await childrenOf('transfer-unload-retry')).filter((c) => c.workflowId.includes('parts-a2-e1-')).length).toBe(3);
  });

  it("tableTransfer: finalize's proof failing once resets staging and loads every part again in children; finalize then publishes", async () => {
    const calls: Calls = [];
    const manifest = Array.from({ length: 3 }, (_, i) => part(i + 1));
    const result = await withWorker(
      mockActivities(calls, { manifest, firstProofProblem: '0009_part_00.gz was loaded but the manifest does not list it' }),
      (taskQueue) =>
        env.client.workflow.execute('tableTransfer', { taskQueue, workflowId: 'transfer-proof-again', args: transferArgs({ partsPerWorkflow: 2 }) }),
    );
    expect(result).toMatchObject({ rows: 30, parts: 3 });
    expect(calls.filter((c) => c.activity !== 'loadPart').map((c) => `${c.activity} ${c.detail}`)).toEqual([
      'prepare public.t',
      'unload t',
      'finalize 30/30 attempt 1 epoch 0',
      'resetStaging the loaded parts disagree with the manifest: 0009_part_00.gz was loaded but the manifest does not list it',
      'finalize 30/30 attempt 1 epoch 1',
    ]);
    expect(calls.filter((c) => c.activity === 'loadPart').length).toBe(6);
    expect((await childrenOf('transfer-proof-again')).map((c) => c.workflowId.replace(/^.*\/parts-/, ''))).toEqual(['a1-e0-2', 'a1-e1-0', 'a1-e1-2']);
  });

  it('tableTransfer: a cancellation reaches the loads of a child range; the child ends cancelled, the run cleans up, nothing is finalized', async () => {
    const calls: Calls = [];
    const manifest = Array.from({ length: 4 }, (_, i) => part(i + 1));
    const mocks = mockActivities(calls, { manifest });
    const loadPart = mocks.loadPart!;
    let childLoadStarted!: () => void;
    const started = new Promise<void>((r) => (childLoadStarted = r));
    // Parts past the table's own two load in a child, and run until cancelled.
    mocks.loadPart = async (input) => {
      if (!('registered' in input) || input.registered.ordinal < 2) return loadPart(input);
      calls.push({ activity: 'loadPart', detail: 'blocked' });
      childLoadStarted();
      for (;;) {
        Context.current().heartbeat();
        await Context.current().sleep(100);
      }
    };
    const err = await withWorker(mocks, async (taskQueue) => {
      const handle = await env.client.workflow.start('tableTransfer', {
        taskQueue,
        workflowId: 'transfer-cancel-range',
        args: transferArgs({ partsPerWorkflow: 2 }),
      });
      await started;
      await handle.cancel();
      return handle.result().catch((e: unknown) => e);
    });
    expect((err as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    expect(calls.filter((c) => c.activity !== 'loadPart').map((c) => c.activity)).toEqual(['prepare', 'unload', 'cleanup']);
    expect((await childrenOf('transfer-cancel-range')).map((c) => c.status)).toEqual(['CANCELLED']);
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

  it('pipelineRun: small tables move in one activity each, the others in child workflows; a failed small table skips its dependents across a continue-as-new', async () => {
    const calls: Calls = [];
    const names = Array.from({ length: 8 }, (_, i) => `t${i + 1}`);
    const small: MockOptions['small'] = { 'public.t1': 'small', 'public.t2': 'small', 'public.t5': 'small', 'public.t6': 'small' };
    small['public.t3'] = ApplicationFailure.nonRetryable('column "x" would lose values', 'TypeMismatch');
    // t7 depends on t3, which fails as a small table; t8 on t1, which succeeds as one.
    const tables = names.map((n) => pipelineTable(n, n === 't7' ? ['t3'] : n === 't8' ? ['t1'] : []));
    const { err, firstRunId } = await withWorker(mockActivities(calls, { manifest: [part(1)], small }), async (taskQueue) => {
      const handle = await env.client.workflow.start('pipelineRun', {
        taskQueue,
        workflowId: 'pipeline-small',
        args: [{ name: 'p', maxParallelTables: 2, historyLimit: { events: 20, bytes: 1024 * 1024 }, smallTables: { maxRows: 500 }, tables }],
      });
      return { err: await handle.result().catch((e: unknown) => e), firstRunId: handle.firstExecutionRunId };
    });
    expect((await runsOf('pipeline-small', firstRunId)).length).toBeGreaterThanOrEqual(2);
    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.message).toBe('pipeline p: 1 table(s) failed: t3 (column "x" would lose values); skipped: t7');
    const outcome = cause.details![0] as PipelineRunResult;
    expect(outcome.tables.map((t) => [t.name, t.status, t.ranAs ?? 'workflow', t.rows ?? null])).toEqual([
      ['t1', 'succeeded', 'activity', 7],
      ['t2', 'succeeded', 'activity', 7],
      ['t3', 'failed', 'activity', null],
      ['t4', 'succeeded', 'workflow', 10],
      ['t5', 'succeeded', 'activity', 7],
      ['t6', 'succeeded', 'activity', 7],
      ['t7', 'skipped', 'workflow', null],
      ['t8', 'succeeded', 'workflow', 10],
    ]);
    // Every table is offered to the one activity first (the failed one once: non-retryable); only those handed on get a workflow.
    const offered = calls.filter((c) => c.activity === 'transferSmallTable').map((c) => c.detail);
    expect([...offered].sort()).toEqual(['t1', 't2', 't3', 't4', 't5', 't6', 't8'].map((n) => `public.${n} ≤ 500`));
    expect(calls.filter((c) => c.activity === 'prepare').map((c) => c.detail)).toEqual(['public.t4', 'public.t8']);
  });

  it('pipelineRun: smallTables.maxRows 0 gives every table its own workflow, and a query source always gets one', async () => {
    const calls: Calls = [];
    const run = (smallTables: { maxRows: number }, tables: unknown[]) =>
      withWorker(mockActivities(calls, { manifest: [part(1)], small: { 'public.a': 'small', 'public.q': 'small' } }), (taskQueue) =>
        env.client.workflow.execute('pipelineRun', {
          taskQueue,
          workflowId: `pipeline-no-small-${smallTables.maxRows}`,
          args: [{ name: 'p', smallTables, tables }],
        }),
      );
    await run({ maxRows: 0 }, [pipelineTable('a')]);
    const query = { name: 'q', source: { connection: 'redshift', query: 'SELECT 1 AS id' }, target: { connection: 'postgres', table: 'public.q' } };
    await run({ maxRows: 1000 }, [query]);
    expect(calls.filter((c) => c.activity === 'transferSmallTable')).toEqual([]);
    expect(calls.filter((c) => c.activity === 'prepare').map((c) => c.detail)).toEqual(['public.a', 'public.q']);
  });

  it('pipelineRun: past listedTables, the result lists failed and skipped first with counts and rows of all, and runs hand on succeeded tables by number', async () => {
    const calls: Calls = [];
    const names = Array.from({ length: 30 }, (_, i) => `t${String(i + 1).padStart(2, '0')}`);
    const small: MockOptions['small'] = Object.fromEntries(names.map((n) => [`public.${n}`, 'small' as const]));
    small['public.t05'] = ApplicationFailure.nonRetryable('column "x" would lose values', 'TypeMismatch');
    const tables = names.map((n) => pipelineTable(n, n === 't29' ? ['t05'] : []));
    const { err, firstRunId } = await withWorker(mockActivities(calls, { manifest: [part(1)], small }), async (taskQueue) => {
      const handle = await env.client.workflow.start('pipelineRun', {
        taskQueue,
        workflowId: 'pipeline-listed',
        args: [{ name: 'p', maxParallelTables: 3, listedTables: 10, historyLimit: { events: 40, bytes: 1024 * 1024 }, tables }],
      });
      return { err: await handle.result().catch((e: unknown) => e), firstRunId: handle.firstExecutionRunId };
    });
    const runs = await runsOf('pipeline-listed', firstRunId);
    expect(runs.length).toBeGreaterThanOrEqual(3);
    // What the last run was handed: succeeded tables as [from, to) number ranges, failed and skipped ones by name.
    const lastStart = (await env.client.workflow.getHandle('pipeline-listed', runs.at(-1)!.runId).fetchHistory()).events![0];
    const carry = JSON.parse(Buffer.from(lastStart.workflowExecutionStartedEventAttributes!.input!.payloads![1].data!).toString('utf8'));
    expect(Object.keys(carry.ended)).toEqual(['t05', 't29']);
    expect(carry.succeeded.ranges.length).toBeLessThanOrEqual(4);
    expect(carry.succeeded.rows).toBe(7 * (carry.succeeded.ranges as number[]).reduce((n, v, i, r) => (i % 2 ? n + v - r[i - 1] : n), 0));

    const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.message).toBe('pipeline p: 1 table(s) failed: t05 (column "x" would lose values); skipped: t29');
    const outcome = cause.details![0] as PipelineRunResult;
    expect(outcome).toMatchObject({ succeeded: 28, failed: 1, skipped: 1, rows: 28 * 7, unlisted: 20 });
    expect(outcome.tables).toHaveLength(10);
    expect(outcome.tables.slice(0, 2).map((t) => [t.name, t.status])).toEqual([
      ['t05', 'failed'],
      ['t29', 'skipped'],
    ]);
    expect(outcome.tables.slice(2).every((t) => t.status === 'succeeded')).toBe(true);
    expect(calls.filter((c) => c.activity === 'transferSmallTable')).toHaveLength(29);
  });
});
