import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { Client as PgClient } from 'pg';
import { createActivities } from '@ferry/activities';
import { loadTargetOf, type LoadPartInput, type TransferPlan } from '@ferry/contract';
import { ensureBookkeeping } from '@ferry/postgres';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import { connect, createDatabase, uniqueName } from './support/databases';
import { stack } from './support/env';
import { testConfig } from './support/ferry';

// loadPart and finalize against real PostgreSQL and MinIO, called directly in an activity
// context so a test can replay exactly the retries Temporal would make.
describe('loadPart and finalize', () => {
  const s3 = createS3Client(s3SettingsFromEnv());
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let db: PgClient;
  let activities: ReturnType<typeof createActivities>;
  // One environment per call: a real retry is a new attempt with a fresh context.
  const call = <I, O>(fn: (input: I) => Promise<O>, input: I) =>
    new MockActivityEnvironment({}, { logger: new DefaultLogger('WARN') }).run(fn, input) as Promise<O>;

  beforeAll(async () => {
    target = await createDatabase('ferry_load_dst');
    db = await connect(target.name);
    activities = createActivities({ config: testConfig('unused', target.name), s3 });
  });

  afterAll(async () => {
    await db?.end();
    await target?.drop();
  });

  async function planWithPart(body: string, opts: { gzip?: boolean } = {}) {
    const name = uniqueName('t');
    const prefix = `tests/${name}/run/`;
    const key = `${prefix}0000_part_00${opts.gzip ? '.gz' : ''}`;
    const bytes = opts.gzip ? gzipSync(body) : Buffer.from(body);
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: bytes }));
    await db.query(`CREATE TABLE ${name} (id int, txt text)`);
    await db.query(`INSERT INTO ${name} VALUES (-1, 'existing')`);
    await db.query(`CREATE SCHEMA IF NOT EXISTS ferry_staging`);
    await db.query(
      `CREATE TABLE IF NOT EXISTS ferry_staging.ferry_ledger (run_id text, part text, target text, etag text, rows bigint, loaded_at timestamptz DEFAULT now(), PRIMARY KEY (run_id, part))`,
    );
    await db.query(`CREATE TABLE ferry_staging.${name} (LIKE ${name})`);
    const plan: TransferPlan = {
      runId: uniqueName('run'),
      source: { connection: 'redshift', label: name, select: 'unused' },
      target: {
        connection: 'postgres',
        table: { schema: 'public', name },
        staging: { schema: 'ferry_staging', name },
        columns: ['id', 'txt'],
        mode: 'replace',
        loadMethod: 'copy',
        loadTaskQueue: 'unused',
      },
      s3: { bucket: stack.bucket, folder: prefix, prefix },
      unload: { compression: opts.gzip ? 'gzip' : 'none', maxFileSizeMb: 64, parallel: true },
    };
    const part = { key, name: key.slice(prefix.length), bytes: bytes.length, rows: body.split('\n').length - 1 };
    return { plan, part, name };
  }

  it('a load a workflow scheduled before loads got their own input (the whole plan) loads the same, once', async () => {
    const { plan, part } = await planWithPart('1|a\n2|b\n');
    const legacy = { plan, part } as unknown as LoadPartInput;
    expect(await call(activities.loadPart, legacy)).toMatchObject({ rows: 2, alreadyLoaded: false });
    expect(await call(activities.loadPart, { load: loadTargetOf(plan), part })).toMatchObject({ rows: 2, alreadyLoaded: true });
  });

  it("a run's columns recorded by prepare: the load's input carries none and reads them; a run whose target another run has prepared since loads nothing", async () => {
    const { plan, part, name } = await planWithPart('1|a\n2|b\n');
    await ensureBookkeeping(db, 'ferry_staging');
    await db.query(`INSERT INTO ferry_staging.ferry_run_columns VALUES ($1, $2, $3)`, [`"public"."${name}"`, plan.runId, ['id', 'txt']]);
    const recorded: TransferPlan = { ...plan, target: { ...plan.target, columnsRecorded: true } };
    const load = loadTargetOf(recorded);
    expect(load.columns).toBeUndefined();
    expect(await call(activities.loadPart, { load, part })).toMatchObject({ rows: 2, alreadyLoaded: false });
    expect((await db.query(`SELECT id, txt FROM ferry_staging.${name} ORDER BY id`)).rows).toEqual([
      { id: 1, txt: 'a' },
      { id: 2, txt: 'b' },
    ]);

    await db.query(`UPDATE ferry_staging.ferry_run_columns SET run_id = 'a later run' WHERE target = $1`, [`"public"."${name}"`]);
    const other = { ...part, key: part.key.replace('0000_part_00', '0001_part_00') };
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: other.key, Body: '3|c\n' }));
    const err = await call(activities.loadPart, { load, part: other }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect([(err as ApplicationFailure).type, (err as ApplicationFailure).nonRetryable]).toEqual(['TargetBusy', true]);
    expect((err as ApplicationFailure).message).toMatch(new RegExp(`^run ${plan.runId} no longer owns target public\\.${name}: another run`));
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.${name}`)).rows[0].n).toBe(2);
  });

  it('loads a part exactly once however often it is retried', async () => {
    const { plan, part, name } = await planWithPart('1|a\n2|\\N\n3|c\\|d\n', { gzip: true });
    const first = await call(activities.loadPart, { load: loadTargetOf(plan), part });
    const again = await call(activities.loadPart, { load: loadTargetOf(plan), part });
    expect(first).toMatchObject({ rows: 3, alreadyLoaded: false });
    expect(again).toMatchObject({ rows: 3, alreadyLoaded: true });
    expect((await db.query(`SELECT id, txt FROM ferry_staging.${name} ORDER BY id`)).rows).toEqual([
      { id: 1, txt: 'a' },
      { id: 2, txt: null },
      { id: 3, txt: 'c|d' },
    ]);
  });

  it('fails non-retryably on a malformed row, naming the part and line, loading nothing', async () => {
    const { plan, part, name } = await planWithPart('1|a\nnot-a-number|b\n');
    const err = await call(activities.loadPart, { load: loadTargetOf(plan), part }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toMatch(
      /^part 0000_part_00 cannot be loaded into public\.\S+: column "id" \(line 2 of the part\): invalid input syntax for type integer: "not-a-number"\. Fix: /,
    );
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.${name}`)).rows[0].n).toBe(0);
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.ferry_ledger WHERE run_id = $1`, [plan.runId])).rows[0].n).toBe(0);
  });

  it('refuses to publish when the counts disagree, leaving the target as it was', async () => {
    const { plan, part, name } = await planWithPart('1|a\n2|b\n');
    const loaded = await call(activities.loadPart, { load: loadTargetOf(plan), part });
    const err = await call(activities.finalize, { plan, manifestRows: 3, importedRows: loaded.rows }).catch((e: unknown) => e);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toBe(
      `row counts disagree for public.${name}: manifest 3, imported 2, staged 2; the target was not changed and staging table ferry_staging.${name} is kept for inspection`,
    );
    expect((await db.query(`SELECT id, txt FROM ${name}`)).rows).toEqual([{ id: -1, txt: 'existing' }]);
  });

  it('replaces the target in one transaction when the counts agree', async () => {
    const { plan, part, name } = await planWithPart('1|a\n2|b\n');
    const loaded = await call(activities.loadPart, { load: loadTargetOf(plan), part });
    const published = await call(activities.finalize, { plan, manifestRows: 2, importedRows: loaded.rows });
    expect(published.rows).toBe(2);
    expect((await db.query(`SELECT id, txt FROM ${name} ORDER BY id`)).rows).toEqual([
      { id: 1, txt: 'a' },
      { id: 2, txt: 'b' },
    ]);
  });

  it('a finalize retried after its commit publishes nothing twice', async () => {
    const { plan: replacePlan, part, name } = await planWithPart('1|a\n2|b\n');
    const plan: TransferPlan = { ...replacePlan, target: { ...replacePlan.target, mode: 'append' } };
    const loaded = await call(activities.loadPart, { load: loadTargetOf(plan), part });
    const first = await call(activities.finalize, { plan, manifestRows: 2, importedRows: loaded.rows });
    // The worker died before reporting: Temporal runs the activity again.
    const again = await call(activities.finalize, { plan, manifestRows: 2, importedRows: loaded.rows });
    expect(again).toMatchObject({ rows: 2, publish: first.publish, lockedMs: 0 });
    expect((await db.query(`SELECT id, txt FROM ${name} ORDER BY id`)).rows).toEqual([
      { id: -1, txt: 'existing' },
      { id: 1, txt: 'a' },
      { id: 2, txt: 'b' },
    ]);
  });
});
