import { Client, Connection } from '@temporalio/client';
import { installRedshiftTypes } from '@ferry/redshift-local';
import { ferryDataConverter } from '@ferry/codec';
import { temporalSettings } from '@ferry/config';
import { connect, createDatabase, fingerprint, uniqueName } from './support/databases';
import { makeCurrentVersion, pinnedBuildOf, productionLikeWorker, spawnWorker } from './support/processes';
import { activities, gatedSource } from './support/unload-gate';
import { waitFor } from './support/wait';

// A rolling upgrade with Worker Versioning on the pinned dev server: a run started on build v1
// stays on v1's worker while v2 becomes current and takes every new run.
describe('Worker Versioning: runs stay pinned to the build that started them', () => {
  const deploymentName = uniqueName('ferry-versioning').replace(/\./g, '-');
  const taskQueue = uniqueName('ferry-versioned');
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let env: NodeJS.ProcessEnv;
  let client: Client;
  const workers: ReturnType<typeof spawnWorker>[] = [];

  beforeAll(async () => {
    source = await createDatabase('ferry_ver_src');
    target = await createDatabase('ferry_ver_dst');
    await installRedshiftTypes(source.name);
    env = { ...(await productionLikeWorker(source.name, target.name)), FERRY_TASK_QUEUE: taskQueue, FERRY_DEPLOYMENT_NAME: deploymentName };
    const temporal = temporalSettings();
    client = new Client({ connection: await Connection.connect(temporal.connection), namespace: temporal.namespace, dataConverter: ferryDataConverter() });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await client?.connection.close();
    await source?.drop();
    await target?.drop();
  });

  /** Starts a worker of `buildId` and makes that build the deployment's current version, as an operator rolling it out would. */
  async function rollOut(buildId: string) {
    const worker = spawnWorker({ ...env, FERRY_BUILD_ID: buildId });
    workers.push(worker);
    await waitFor(`worker ${buildId} to start`, async () => worker.output().includes(`build ${buildId}`) || worker.child.exitCode !== null);
    expect(worker.child.exitCode).toBeNull();
    await makeCurrentVersion(deploymentName, buildId);
    return worker;
  }

  const buildOf = (workflowId: string) => pinnedBuildOf(client.workflow.getHandle(workflowId));

  it('a run started on v1 finishes on v1 after v2 became current; a run started then goes to v2', async () => {
    const src = await connect(source.name);
    const dst = await connect(target.name);
    const holder = await connect(source.name);
    try {
      const gate = await gatedSource(src, holder, 'early', 30_000, 20_000);
      await src.query(`CREATE TABLE later AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 2000) g`);
      await dst.query(`CREATE TABLE early (id int, h text, pad text)`);
      await dst.query(`CREATE TABLE later (id int, h text)`);
      const v1 = await rollOut('v1');

      await gate.close();
      const early = await client.workflow.start('tableTransfer', {
        taskQueue,
        workflowId: uniqueName('versioned-early'),
        args: [{ source: { connection: 'redshift', query: gate.query }, target: { connection: 'postgres', table: 'early' } }],
      });
      await waitFor('the v1 run to be unloading', async () =>
        ((await early.describe()).raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'unload'),
      );

      await rollOut('v2');
      const later = await client.workflow.start('tableTransfer', {
        taskQueue,
        workflowId: uniqueName('versioned-later'),
        args: [{ source: { connection: 'redshift', table: 'later' }, target: { connection: 'postgres', table: 'later' } }],
      });
      await later.result();
      expect(await buildOf(later.workflowId)).toBe('v2');

      await gate.open();
      await early.result();
      expect(await buildOf(early.workflowId)).toBe('v1');
      // Every activity of the v1 run was started by v1's worker process, the ones after v2 became current included.
      const started = ((await early.fetchHistory()).events ?? []).flatMap((e) =>
        e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.identity] : [],
      );
      expect(activities((await early.fetchHistory()).events ?? []).map((a) => a.type)).toEqual(expect.arrayContaining(['prepare', 'unload', 'finalize']));
      expect([...new Set(started)]).toEqual([expect.stringMatching(new RegExp(`^${v1.child.pid}@`))]);

      expect(await fingerprint(dst, 'early', 'id')).toEqual(await fingerprint(src, 'early', 'id'));
      expect(await fingerprint(dst, 'later', 'id')).toEqual(await fingerprint(src, 'later', 'id'));
    } finally {
      await Promise.all([src.end(), dst.end(), holder.end()]);
    }
  });
});
