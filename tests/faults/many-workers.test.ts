import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { ferryDataConverter } from '@ferry/codec';
import { temporalSettings } from '@ferry/config';
import { installRedshiftTypes } from '@ferry/redshift-local';
import { connect, createDatabase, fingerprint, uniqueName } from '../support/databases';
import { makeCurrentVersion, pinnedBuildOf, productionLikeWorker, spawnWorker } from '../support/processes';
import { waitFor } from '../support/wait';
import { stackService } from './harness';

// Three workers on one task queue, the target at maxConcurrentLoads 2, a pipeline of six
// tables: the cap is the database's, not each worker's, and it holds through a kill -9 mid-load,
// a kill -9 during finalize, a restart of the Temporal server and a rolling upgrade; every table
// arrives exact each time.
jest.setTimeout(900_000);

const TABLES = Array.from({ length: 6 }, (_, i) => `t${i + 1}`);
type Worker = ReturnType<typeof spawnWorker>;

/** `targetPrefixes`: one set of target tables per pipeline the test runs at once (`t1`…, `u1`…). */
async function cluster(name: string, targetPrefixes = ['t']) {
  const source = await createDatabase(`ferry_${name}_src`);
  const target = await createDatabase(`ferry_${name}_dst`);
  await installRedshiftTypes(source.name);
  const src = await connect(source.name);
  const dst = await connect(target.name);
  const sampler = await connect(target.name);
  const taskQueue = uniqueName(`ferry-${name}`);
  const workers: Worker[] = [];
  const temporal = temporalSettings();
  let connection = await Connection.connect(temporal.connection);
  const client = () => new Client({ connection, namespace: temporal.namespace, dataConverter: ferryDataConverter() });
  // Above smallTables.maxRows: each table's own workflow loads its parts on the load queue,
  // which every worker serves up to maxConcurrentLoads — six at once over three workers, but for the database's slots.
  for (const t of TABLES) {
    await src.query(`CREATE TABLE ${t} AS SELECT g AS id, md5(g::text) AS h, repeat('x', 100) AS pad FROM generate_series(1, 150000) g`);
    for (const prefix of targetPrefixes) await dst.query(`CREATE TABLE ${prefix}${t.slice(1)} (id int, h text, pad text)`);
  }
  const env = { ...(await productionLikeWorker(source.name, target.name, { maxConcurrentLoads: 2 })), FERRY_TASK_QUEUE: taskQueue };

  let peak = 0;
  let sampling = true;
  // Every COPY into staging on the target, whoever runs it.
  const sampled = (async () => {
    while (sampling) {
      const { rows } = await sampler.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY "ferry_staging".%'`,
      );
      peak = Math.max(peak, rows[0].n);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();

  return {
    src,
    dst,
    client,
    workers,
    peak: () => peak,
    async startWorkers(count: number, extra: NodeJS.ProcessEnv = {}, started = `task queue ${taskQueue}`): Promise<Worker[]> {
      const added: Worker[] = [];
      for (let i = 0; i < count; i++) {
        const w = spawnWorker({ ...env, ...extra });
        workers.push(w);
        added.push(w);
        await waitFor(`worker ${workers.length} to start`, async () => w.output().includes(started) || w.child.exitCode !== null);
        expect(w.child.exitCode).toBeNull();
      }
      return added;
    },
    startPipeline(runName: string, targetPrefix = 't'): Promise<WorkflowHandle> {
      return client().workflow.start('pipelineRun', {
        taskQueue,
        workflowId: uniqueName(runName),
        args: [
          {
            name: runName,
            maxParallelTables: 6,
            defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', mode: 'replace' } },
            tables: TABLES.map((t) => ({
              source: { table: t },
              target: { table: `${targetPrefix}${t.slice(1)}` },
              unload: { compression: 'none', maxFileSizeMb: 5 },
            })),
          },
        ],
      });
    },
    /** The pipeline's result, riding out a restart of the Temporal server (the long poll breaks while it is down). */
    async result(handle: WorkflowHandle): Promise<{ succeeded: number }> {
      for (let attempt = 0; ; attempt++) {
        try {
          return (await client().workflow.getHandle(handle.workflowId).result()) as { succeeded: number };
        } catch (err) {
          if ((err as Error).name === 'WorkflowFailedError' || attempt > 120) throw err;
          await new Promise((r) => setTimeout(r, 1000));
          connection = await Connection.connect(temporal.connection).catch(() => connection);
        }
      }
    },
    /** Holds `table`'s publish back (EXCLUSIVE blocks its lock, reads go on) until `release()`: the run is surely mid-way. */
    async holdPublish(table: string): Promise<{ release(): Promise<void> }> {
      const blocker = await connect(target.name);
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await blocker.query('COMMIT');
          await blocker.end();
        },
      };
    },
    async expectExact() {
      for (const t of TABLES) {
        for (const prefix of targetPrefixes) {
          const copy = `${prefix}${t.slice(1)}`;
          expect([copy, await fingerprint(dst, copy, 'id')]).toEqual([copy, await fingerprint(src, t, 'id')]);
        }
      }
    },
    async close() {
      sampling = false;
      await sampled;
      await Promise.all(workers.map((w) => w.stop()));
      await connection.close();
      await Promise.all([src.end(), dst.end(), sampler.end()]);
      await source.drop();
      await target.drop();
    },
  };
}

type Cluster = Awaited<ReturnType<typeof cluster>>;

async function kill(worker: Worker): Promise<void> {
  const exited = new Promise((r) => worker.child.once('exit', r));
  worker.child.kill('SIGKILL');
  await exited;
}

describe('three workers, one target database', () => {
  let c: Cluster;
  afterEach(async () => c?.close());

  it('kill -9 of one worker mid-load and of another during finalize: at most two COPYs at once, every table exact', async () => {
    c = await cluster('kills');
    const held = await c.holdPublish('t6');
    try {
      const [first] = await c.startWorkers(3);
      const pipeline = await c.startPipeline('kills');
      await waitFor('the first COPY', async () => c.peak() > 0, 120_000);
      await kill(first);

      // The worker holding t6's finalize, by the identity Temporal records for it.
      const finalizing = await waitFor(
        "t6's finalize to wait for its lock",
        async () => {
          const child = (await pipeline.describe()).raw.pendingChildren?.find((ch) => /[:.]t6$/.test(ch.workflowId ?? ''));
          if (!child?.workflowId) return undefined;
          const pending = (await c.client().workflow.getHandle(child.workflowId).describe()).raw.pendingActivities ?? [];
          const identity = pending.find((a) => a.activityType?.name === 'finalize' && a.lastWorkerIdentity)?.lastWorkerIdentity;
          return c.workers.find((w) => w.child.exitCode === null && w.child.signalCode === null && identity?.startsWith(`${w.child.pid}@`));
        },
        300_000,
      );
      await kill(finalizing!);
      await held.release();

      expect((await c.result(pipeline)).succeeded).toBe(6);
      expect(c.peak()).toBe(2);
      await c.expectExact();
    } finally {
      await held.release();
    }
  });

  it('a restart of the Temporal server while three workers poll: at most two COPYs at once, every table exact', async () => {
    c = await cluster('restart');
    await c.startWorkers(3);
    const held = await c.holdPublish('t6');
    const pipeline = await c.startPipeline('restart');
    await waitFor('the first COPY', async () => c.peak() > 0, 120_000);
    await stackService('down', 'temporal');
    await stackService('up', 'temporal');
    await held.release();

    expect((await c.result(pipeline)).succeeded).toBe(6);
    expect(c.peak()).toBe(2);
    await c.expectExact();
    // Every worker rode out the restart.
    for (const w of c.workers) expect(w.child.exitCode).toBeNull();
  });

  it('a rolling upgrade mid-pipeline: the run stays on v1, the next goes to v2, the cap holds over both', async () => {
    c = await cluster('rollout', ['t', 'u']);
    const deploymentName = uniqueName('ferry-rollout').replace(/\./g, '-');
    const rollOut = async (buildId: string) => {
      await c.startWorkers(3, { FERRY_BUILD_ID: buildId, FERRY_DEPLOYMENT_NAME: deploymentName }, `build ${buildId}`);
      await makeCurrentVersion(deploymentName, buildId);
    };

    await rollOut('v1');
    const held = await c.holdPublish('t6');
    const before = await c.startPipeline('rollout-before');
    await waitFor('the first COPY', async () => c.peak() > 0, 120_000);
    await rollOut('v2');
    expect((await before.describe()).status.name).toBe('RUNNING');
    // The same sources into other targets, from a pipeline started after the rollout: both load at once.
    const after = await c.startPipeline('rollout-after', 'u');
    await held.release();

    expect((await c.result(before)).succeeded).toBe(6);
    expect((await c.result(after)).succeeded).toBe(6);
    expect(await pinnedBuildOf(before)).toBe('v1');
    expect(await pinnedBuildOf(after)).toBe('v2');
    expect(c.peak()).toBe(2);
    await c.expectExact();
  });
});
