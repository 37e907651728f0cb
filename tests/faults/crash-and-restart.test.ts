import { faultHarness, slowLoadTables, slowWrites, type FaultHarness } from './harness';
import { waitFor } from '../support/wait';
import { connect } from '../support/databases';

// Each case breaks something in the middle of a real run and asserts the target ends
// exactly equal to the source, with no staging table left behind.
describe('a run survives', () => {
  let h: FaultHarness;
  beforeEach(async () => {
    h = await faultHarness('crash');
    await h.startWorker();
  });
  afterEach(async () => {
    await h?.close();
  });

  const input = (extra: object = {}) => ({ source: { connection: 'redshift', table: 't' }, target: { connection: 'postgres', table: 't' }, ...extra });

  it('kill -9 of the worker during the unload', async () => {
    await h.src.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 30000) g`);
    await h.src.query(`CREATE VIEW slow_t AS SELECT * FROM t WHERE pg_sleep(0.0003) IS NOT NULL`);
    await h.dst.query(`CREATE TABLE t (id int, h text)`);
    const handle = await h.start({ source: { connection: 'redshift', table: 'slow_t' }, target: { connection: 'postgres', table: 't' } });
    await waitFor('the UNLOAD on the source', async () => (await h.active('source', 'COPY%slow_t%')).length > 0);
    await h.killWorker();
    await h.startWorker();
    await h.result(handle);
    await h.expectIdentical('t', 'id, h', 'id');
  });

  it('kill -9 of the worker during the loads', async () => {
    await slowLoadTables(h, 4000, 2);
    const handle = await h.start(input({ load: { maxParallelLoads: 2 } }));
    await waitFor('a COPY on the target', async () => (await h.active('target', 'COPY "ferry_staging"%')).length > 0);
    await h.killWorker();
    await h.startWorker();
    await h.result(handle);
    await h.expectIdentical('t', 'id, h, pad', 'id');
  });

  it('kill -9 of the worker during finalize', async () => {
    await h.src.query(`CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 3000) g`);
    await h.dst.query(`CREATE TABLE t (id int)`);
    await slowWrites(h, 2);
    const handle = await h.start(input());
    await waitFor('finalize inserting into the target', async () => (await h.active('target', 'INSERT INTO "public"."t"%')).length > 0);
    await h.killWorker();
    await h.startWorker();
    await h.result(handle);
    await h.expectIdentical('t', 'id', 'id');
  });

  it("kill -9 of the worker while a pipeline's small table appends in its one activity: the retry starts over, every row once", async () => {
    await h.src.query(`CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 3000) g`);
    await h.dst.query(`CREATE TABLE t (id int)`);
    await slowWrites(h, 2);
    const pipeline = { name: 'fault', tables: [{ ...input(), target: { connection: 'postgres', table: 't', mode: 'append' } }] };
    const handle = await h.start(pipeline, 'pipelineRun');
    await waitFor('the small table publishing into the target', async () => (await h.active('target', 'INSERT INTO "public"."t"%')).length > 0);
    await h.killWorker();
    await h.startWorker();
    const result = (await h.result(handle)) as { tables: { ranAs?: string; rows: number }[] };
    expect(result.tables).toMatchObject([{ ranAs: 'activity', rows: 3000 }]);
    await h.expectIdentical('t', 'id', 'id');
  });

  it('kill -9 of the worker during a swap', async () => {
    await h.src.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 3000) g`);
    await h.dst.query(`CREATE TABLE t (id int PRIMARY KEY, h text)`);
    await h.dst.query(`CREATE INDEX t_h ON t (h)`);
    await h.dst.query(`INSERT INTO t VALUES (-1, 'old')`);
    // A reader holds the target, so finalize's transaction waits inside the swap, on its lock.
    const reader = await connect(h.dst.database!);
    await reader.query(`BEGIN; SELECT count(*) FROM t`);
    const handle = await h.start(input());
    await waitFor('finalize waiting to swap', async () => (await h.active('target', 'LOCK TABLE "public"."t"%')).length > 0);
    await h.killWorker();
    await reader.query('COMMIT');
    await reader.end();
    await h.startWorker();
    const result = (await h.result(handle)) as { publish: { path: string } };
    expect(result.publish).toEqual({ path: 'swap' });
    await h.expectIdentical('t', 'id, h', 'id');
    const indexes = await h.dst.query(`SELECT indexname FROM pg_indexes WHERE tablename = 't' ORDER BY indexname`);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(['t_h', 't_pkey']);
  });

  it('pg_terminate_backend of a COPY on the target', async () => {
    await slowLoadTables(h, 4000, 1);
    const handle = await h.start(input());
    const [pid] = await waitFor('a COPY on the target', async () => {
      const pids = await h.active('target', 'COPY "ferry_staging"%');
      return pids.length > 0 && pids;
    });
    await h.terminate(pid);
    await h.result(handle);
    await h.expectIdentical('t', 'id, h, pad', 'id');
  });
});
