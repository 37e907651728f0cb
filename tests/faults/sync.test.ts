import { faultHarness, slowWrites, type FaultHarness } from './harness';
import { installAwsS3Local } from '../../tools/aws-s3-local/install';
import { waitFor } from '../support/wait';

// A sync killed in the middle: the retry compares again (a new snapshot of the source) or finds
// its publish committed, and the target ends exactly equal to the source.
describe.each(['copy', 'aws_s3'])('a sync with load.method %s survives', (method) => {
  let h: FaultHarness;
  beforeEach(async () => {
    h = await faultHarness('sync');
    if (method === 'aws_s3') await installAwsS3Local(h.target.name);
    await h.startWorker();
  });
  afterEach(async () => {
    await h?.close();
  });

  const sync = (source = 't') => ({
    source: { connection: 'redshift', table: source },
    target: { connection: 'postgres', table: 't', mode: 'sync' },
    load: { method },
  });

  /** A synced table of `rows` rows, then `changed` of them changed, one in ten deleted, and as many new ones. */
  async function syncedThenChanged(rows: number, changed: number) {
    await h.src.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, ${rows}) g`);
    await h.dst.query(`CREATE TABLE t (id int PRIMARY KEY, h text)`);
    await h.result(await h.start(sync()));
    await h.src.query(`UPDATE t SET h = 'changed ' || id WHERE id % ${Math.floor(rows / changed)} = 0`);
    await h.src.query(`DELETE FROM t WHERE id % ${Math.floor((10 * rows) / changed)} = 1`);
    await h.src.query(`INSERT INTO t SELECT g, 'new' FROM generate_series(${rows + 1}, ${rows + changed / 10}) g`);
  }

  it('kill -9 of the worker while it moves the differing segments', async () => {
    await syncedThenChanged(10000, 200);
    await h.src.query(`CREATE VIEW slow_t AS SELECT * FROM t WHERE pg_sleep(0.0002) IS NOT NULL`);
    const handle = await h.start(sync('slow_t'));
    await waitFor('the UNLOAD of the differing segments', async () => (await h.active('source', 'COPY%slow_t%')).length > 0);
    await h.killWorker();
    await h.startWorker();
    const result = (await h.result(handle)) as { sync: { fellBackToFull: boolean; rowsDeleted: number } };
    expect(result.sync.fellBackToFull).toBe(false);
    expect(result.sync.rowsDeleted).toBe(20);
    await h.expectIdentical('t', 'id, h', 'id');
  });

  it('kill -9 of the worker while it publishes: the retry publishes once, or finds it published', async () => {
    await syncedThenChanged(20000, 400);
    await slowWrites(h, 5);
    const handle = await h.start(sync());
    await waitFor('the sync updating the target', async () => (await h.active('target', 'UPDATE "public"."t"%')).length > 0);
    await h.killWorker();
    await h.startWorker();
    const result = (await h.result(handle)) as { sync: { rowsWritten: number; rowsDeleted: number } };
    expect(result.sync).toMatchObject({ rowsWritten: 400 + 40, rowsDeleted: 40 });
    await h.expectIdentical('t', 'id, h', 'id');
  });
});
