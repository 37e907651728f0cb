import { faultHarness, type FaultHarness } from './harness';
import { waitFor } from '../support/wait';
import { connect } from '../support/databases';

// A worker that dies or stops while its UNLOAD runs through the Redshift Data API leaves the statement
// running in the warehouse; the next attempt waits for that statement instead of unloading
// again, so the source sees one UNLOAD and the target ends exact.
describe('over the Data API, a run survives', () => {
  let h: FaultHarness;
  beforeEach(async () => {
    h = await faultHarness('data-api');
    await h.startWorker();
  });
  afterEach(async () => {
    await h?.close();
  });

  /** The unload's heartbeat details as the server holds them: what the next attempt reads. */
  const recorded = async (workflowId: string) => {
    const described = await (await h.client()).workflow.getHandle(workflowId).describe();
    const unload = described.raw.pendingActivities?.find((a) => a.activityType?.name === 'unload');
    const payload = unload?.heartbeatDetails?.payloads?.[0]?.data;
    return payload ? (JSON.parse(Buffer.from(payload).toString('utf8')) as { dataApi?: { statementId?: string; attempt: number } }) : undefined;
  };

  it.each([
    ['kill -9', () => h.killWorker()],
    // A deploy: the SDK cancels running activities with reason WORKER_SHUTDOWN, which must not cancel the statement.
    ['a graceful stop (SIGTERM)', () => h.stopWorker()],
  ])('%s of the worker during a Data API UNLOAD: the next attempt waits for that UNLOAD, which runs once', async (_, stop) => {
    await h.src.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 60000) g`);
    await h.src.query(`CREATE VIEW slow_t AS SELECT * FROM t WHERE pg_sleep(0.0005) IS NOT NULL`);
    await h.dst.query(`CREATE TABLE t (id int, h text)`);
    const handle = await h.start({ source: { connection: 'redshift-data', table: 'slow_t' }, target: { connection: 'postgres', table: 't' } });
    await waitFor('the UNLOAD on the source', async () => (await h.active('source', 'COPY%slow_t%')).length > 0);
    // Killed only once the statement's Id has reached the server, as a crash at any later moment would find it.
    await waitFor('the statement Id in the heartbeat details', async () => (await recorded(handle.workflowId))?.dataApi?.statementId !== undefined, 60_000);
    const { dataApi } = (await recorded(handle.workflowId))!;
    await stop();
    expect((await h.active('source', 'COPY%slow_t%')).length).toBe(1); // the UNLOAD runs on without the worker
    await h.startWorker();
    await h.result(handle);
    await h.expectIdentical('t', 'id, h', 'id');

    const rs = await connect(h.source.name, Number(process.env.REDSHIFT_LOCAL_PORT ?? 5439));
    try {
      const unloads = await rs.query(`SELECT status, unloaded_rows::int AS rows, unloaded_location FROM sys_unload_history`);
      expect(unloads.rows).toEqual([{ status: 'completed', rows: 60000, unloaded_location: expect.stringContaining(`/attempt-${dataApi!.attempt}/`) }]);
    } finally {
      await rs.end();
    }
  });
});
