import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '@ferry/activities';
import { loadTargetOf, smallTableRunId, type SmallTableInput } from '@ferry/contract';
import { createS3Client, listObjects, s3SettingsFromEnv } from '@ferry/s3';
import { connect, createDatabase, fingerprint } from './support/databases';
import { stack } from './support/env';
import { testConfig } from './support/ferry';
import { installRedshiftTypes } from '@ferry/redshift-local';

// transferSmallTable against redshift-local, PostgreSQL and MinIO, called directly with the
// attempt numbers Temporal would give its retries: what a retry finds and what it does.
describe('a small table in one activity, retried', () => {
  const s3 = createS3Client(s3SettingsFromEnv());
  let dbs: Awaited<ReturnType<typeof createDatabase>>[] = [];
  let src: Awaited<ReturnType<typeof connect>>;
  let dst: Awaited<ReturnType<typeof connect>>;
  let activities: ReturnType<typeof createActivities>;
  const attempt = <I, O>(n: number, fn: (input: I) => Promise<O>, input: I) =>
    new MockActivityEnvironment({ attempt: n, taskQueue: 'small-table-test' }, { logger: new DefaultLogger('WARN') }).run(fn, input) as Promise<O>;

  beforeAll(async () => {
    dbs = [await createDatabase('ferry_small_src'), await createDatabase('ferry_small_dst')];
    await installRedshiftTypes(dbs[0].name);
    src = await connect(dbs[0].name);
    dst = await connect(dbs[1].name);
    activities = createActivities({ config: testConfig(dbs[0].name, dbs[1].name), s3 });
    await src.query(`CREATE TABLE events (id int, label text)`);
    await src.query(`INSERT INTO events SELECT g, CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE md5(g::text) END FROM generate_series(1, 25) g`);
  });
  afterAll(async () => {
    await Promise.all([src?.end(), dst?.end()]);
    for (const db of dbs) await db.drop();
  });

  const input = (table: string, run: number): SmallTableInput => ({
    prepare: {
      workflowId: 'pipeline-small-retry',
      runId: smallTableRunId('00000000-0000-4000-8000-000000000000', run),
      source: { connection: 'redshift', table: 'public.events' },
      target: { connection: 'postgres', table: `public.${table}`, mode: 'append' },
      unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
      s3: {},
    },
    maxRows: 1000,
  });
  const leftovers = async (table: string) => {
    const files = [];
    for await (const o of listObjects(s3, stack.bucket, `ferry/public.${table}/`)) files.push(o.key);
    const db = await dst.query(
      `SELECT to_regclass('ferry_staging.public__${table}') AS staging, (SELECT count(*)::int FROM ferry_staging.ferry_runs WHERE target = $1) AS leases`,
      [`"public"."${table}"`],
    );
    return { ...db.rows[0], files };
  };

  it('a retry after the run published finds it published and appends nothing again', async () => {
    await dst.query(`CREATE TABLE published_once (id int, label text)`);
    const first = await attempt(1, activities.transferSmallTable, input('published_once', 1));
    expect(first).toMatchObject({ rows: 25, parts: expect.any(Number), loaded: { rows: 25 } });
    // The worker died after finalize committed, before Temporal heard: the next attempt runs.
    const again = await attempt(2, activities.transferSmallTable, input('published_once', 1));
    expect(again).toMatchObject({ rows: 25, parts: 0 });
    expect(await fingerprint(dst, 'published_once', 'id')).toEqual(await fingerprint(src, 'events', 'id'));
    expect(await leftovers('published_once')).toEqual({ staging: null, leases: 0, files: [] });
  });

  it('a retry after parts of an earlier attempt were loaded starts over: those rows are not counted, every row arrives once', async () => {
    await dst.query(`CREATE TABLE half_loaded (id int, label text)`);
    // Attempt 1 prepared, unloaded and loaded its parts into staging, then its worker died.
    const plan = await attempt(1, activities.prepare, input('half_loaded', 2).prepare);
    const unloaded = await attempt(1, activities.unload, { ...plan, partsRegistry: { signalEvery: 0 } });
    await attempt(1, activities.loadPart, { load: loadTargetOf(plan), registeredRun: { attempt: 1, from: 0, to: unloaded.partsRegistered } });
    expect((await dst.query(`SELECT count(*)::int AS n FROM ferry_staging.public__half_loaded`)).rows[0].n).toBe(25);

    const retried = await attempt(2, activities.transferSmallTable, input('half_loaded', 2));
    expect(retried).toMatchObject({ rows: 25, loaded: { rows: 25 } });
    expect(await fingerprint(dst, 'half_loaded', 'id')).toEqual(await fingerprint(src, 'events', 'id'));
    expect(await leftovers('half_loaded')).toEqual({ staging: null, leases: 0, files: [] });
  });

  it('a table above maxRows is handed on untouched: no staging, no lease, no files', async () => {
    await dst.query(`CREATE TABLE too_big (id int, label text)`);
    const result = await attempt(1, activities.transferSmallTable, { ...input('too_big', 3), maxRows: 10 });
    expect(result).toEqual({ handOff: 'public.events has about 25 rows, more than smallTables.maxRows (10)' });
    expect(await leftovers('too_big')).toEqual({ staging: null, leases: 0, files: [] });
    expect((await dst.query(`SELECT count(*)::int AS n FROM too_big`)).rows[0].n).toBe(0);
  });
});
