import { Client, Connection } from '@temporalio/client';
import { ferryDataConverter } from '@ferry/codec';
import { temporalSettings } from '@ferry/config';
import { installRedshiftTypes } from '@ferry/redshift-local';
import { connect, createDatabase, fingerprint, uniqueName } from '../support/databases';
import { productionLikeWorker, spawnWorker } from '../support/processes';
import { waitFor } from '../support/wait';

// The reproduction: three workers on one task queue, the target at maxConcurrentLoads
// 2, a pipeline of six tables. The cap is the database's, not each worker's, and killing one
// worker with -9 in the middle still leaves every table exact.
jest.setTimeout(600_000);

describe('three workers, one target database', () => {
  it('never run more COPYs at once than maxConcurrentLoads, and a kill -9 of one of them loses nothing', async () => {
    const source = await createDatabase('ferry_workers_src');
    const target = await createDatabase('ferry_workers_dst');
    await installRedshiftTypes(source.name);
    const src = await connect(source.name);
    const dst = await connect(target.name);
    const taskQueue = uniqueName('ferry-three-workers');
    const workers: ReturnType<typeof spawnWorker>[] = [];
    const temporal = temporalSettings();
    const client = new Client({
      connection: await Connection.connect(temporal.connection),
      namespace: temporal.namespace,
      dataConverter: ferryDataConverter(),
    });
    try {
      const tables = Array.from({ length: 6 }, (_, i) => `t${i + 1}`);
      // Above smallTables.maxRows: each table's own workflow loads its parts on the load queue,
      // which every worker serves up to maxConcurrentLoads — six at once over three workers, but for the database's slots.
      for (const t of tables) {
        await src.query(`CREATE TABLE ${t} AS SELECT g AS id, md5(g::text) AS h, repeat('x', 100) AS pad FROM generate_series(1, 150000) g`);
        await dst.query(`CREATE TABLE ${t} (id int, h text, pad text)`);
      }
      const env = { ...(await productionLikeWorker(source.name, target.name, { maxConcurrentLoads: 2 })), FERRY_TASK_QUEUE: taskQueue };
      for (let i = 0; i < 3; i++) {
        const w = spawnWorker(env);
        workers.push(w);
        await waitFor(`worker ${i + 1} to start`, async () => w.output().includes(`task queue ${taskQueue}`) || w.child.exitCode !== null);
        expect(w.child.exitCode).toBeNull();
      }

      const handle = await client.workflow.start('pipelineRun', {
        taskQueue,
        workflowId: uniqueName('three-workers'),
        args: [
          {
            name: 'three-workers',
            maxParallelTables: 6,
            defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', mode: 'replace' } },
            tables: tables.map((t) => ({ source: { table: t }, target: { table: t }, unload: { compression: 'none', maxFileSizeMb: 5 } })),
          },
        ],
      });
      let peak = 0;
      let done = false;
      const result = handle.result().finally(() => (done = true));
      const sampling = (async () => {
        while (!done) {
          const { rows } = await dst.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'COPY "ferry_staging".%'`,
          );
          peak = Math.max(peak, rows[0].n);
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      await waitFor('the first COPY', async () => peak > 0, 120_000);
      const victim = workers[0];
      const exited = new Promise((r) => victim.child.once('exit', r));
      victim.child.kill('SIGKILL');
      await exited;
      const outcome = (await result) as { succeeded: number };
      await sampling;

      expect(outcome.succeeded).toBe(6);
      expect(peak).toBe(2);
      for (const t of tables) expect(await fingerprint(dst, t, 'id')).toEqual(await fingerprint(src, t, 'id'));
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await client.connection.close();
      await Promise.all([src.end(), dst.end()]);
      await source.drop();
      await target.drop();
    }
  });
});
