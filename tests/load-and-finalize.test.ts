import { gzipSync } from 'node:zlib';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { Client as PgClient } from 'pg';
import { createActivities } from '@ferry/activities';
import { loadTargetOf, type FinalizeInput, type LoadPartInput, type TransferPlan, type UnloadInput } from '@ferry/contract';
import { ensureBookkeeping, markNotInManifest, registerListedParts, registerManifestParts } from '@ferry/postgres';
import { run } from '@ferry/sql';
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

  /**
   * A target with one row, its staging table, and `bodies` as the parts 0000… of unload
   * attempt 1, registered as the unload registers them; with `stray`, first a listed part the
   * manifest does not list (ordinal 0).
   */
  async function planWithParts(bodies: string[], opts: { gzip?: boolean; stray?: boolean } = {}) {
    const name = uniqueName('t');
    const folder = `tests/public.${name}/`;
    const prefix = `${folder}run/`;
    await db.query(`CREATE TABLE ${name} (id int, txt text)`);
    await db.query(`INSERT INTO ${name} VALUES (-1, 'existing')`);
    await ensureBookkeeping(db, 'ferry_staging');
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
      s3: { bucket: stack.bucket, folder, prefix },
      unload: { compression: opts.gzip ? 'gzip' : 'none', maxFileSizeMb: 64, parallel: true },
    };
    const parts = await Promise.all(
      bodies.map(async (body, i) => {
        const key = `${prefix}000${i}_part_00${opts.gzip ? '.gz' : ''}`;
        const bytes = opts.gzip ? gzipSync(body) : Buffer.from(body);
        const put = await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: bytes }));
        return { key, name: key.slice(prefix.length), bytes: bytes.length, etag: put.ETag!.replace(/"/g, ''), rows: body.split('\n').length - 1 };
      }),
    );
    const registry = { runId: plan.runId, attempt: 1, target: plan.target.table };
    if (opts.stray) {
      const key = `${prefix}9999_part_00`;
      const stray = await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: '99|stray\n' }));
      await run(db, registerListedParts('ferry_staging', registry, [{ key, name: '9999_part_00', bytes: 9, etag: stray.ETag!.replace(/"/g, '') }]));
    }
    await run(db, registerManifestParts('ferry_staging', registry, parts));
    await run(db, markNotInManifest('ferry_staging', registry));
    return { plan, name, load: loadTargetOf(plan), count: parts.length + (opts.stray ? 1 : 0) };
  }

  /** One part, registered as ordinal 0 of attempt 1: its load's input, and finalize's parts. */
  async function planWithPart(body: string, opts: { gzip?: boolean } = {}) {
    const { plan, name, load } = await planWithParts([body], opts);
    return { plan, name, loadOne: { load, registered: { attempt: 1, ordinal: 0 } }, parts: { attempt: 1, epoch: 0 } };
  }

  it('steps scheduled by a workflow from before the parts registry fail at once, non-retryably, naming the way out', async () => {
    const { plan, name } = await planWithParts(['1|a\n']);
    const part = { key: `${plan.s3.prefix}0000_part_00`, name: '0000_part_00', bytes: 4, rows: 1 };
    const steps: [string, Promise<unknown>][] = [
      ['unload', call(activities.unload, plan as UnloadInput)],
      ['part load', call(activities.loadPart, { load: loadTargetOf(plan), part } as unknown as LoadPartInput)],
      ['finalize', call(activities.finalize, { plan, manifestRows: 1, importedRows: 1 } as FinalizeInput)],
    ];
    for (const [step, outcome] of steps) {
      const err = (await outcome.catch((e: unknown) => e)) as ApplicationFailure;
      expect([err.type, err.nonRetryable, err.message]).toEqual([
        'ConfigError',
        true,
        `this ${step} was scheduled by a workflow from before the parts registry, which this worker no longer serves: let the run finish on the build that started it (docs/deploy.md, "Rolling out a new version")`,
      ]);
    }
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.${name}`)).rows[0].n).toBe(0);
  });

  it("a run's columns recorded by prepare: the load's input carries none and reads them; a run whose target another run has prepared since loads nothing", async () => {
    const { plan, name } = await planWithParts(['1|a\n2|b\n', '3|c\n']);
    await db.query(`INSERT INTO ferry_staging.ferry_run_columns VALUES ($1, $2, $3)`, [`"public"."${name}"`, plan.runId, ['id', 'txt']]);
    const recorded: TransferPlan = { ...plan, target: { ...plan.target, columnsRecorded: true } };
    const load = loadTargetOf(recorded);
    expect(load.columns).toBeUndefined();
    expect(await call(activities.loadPart, { load, registered: { attempt: 1, ordinal: 0 } })).toMatchObject({ rows: 2, alreadyLoaded: false });
    expect((await db.query(`SELECT id, txt FROM ferry_staging.${name} ORDER BY id`)).rows).toEqual([
      { id: 1, txt: 'a' },
      { id: 2, txt: 'b' },
    ]);

    await db.query(`UPDATE ferry_staging.ferry_run_columns SET run_id = 'a later run' WHERE target = $1`, [`"public"."${name}"`]);
    const err = await call(activities.loadPart, { load, registered: { attempt: 1, ordinal: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect([(err as ApplicationFailure).type, (err as ApplicationFailure).nonRetryable]).toEqual(['TargetBusy', true]);
    expect((err as ApplicationFailure).message).toMatch(new RegExp(`^run ${plan.runId} no longer owns target public\\.${name}: another run`));
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.${name}`)).rows[0].n).toBe(2);
  });

  /** A plan whose parts are in the registry: `bodies` as parts 0000… (registered from the manifest), plus a stray listed part the manifest lacks. */
  const registeredRun = (bodies: string[]) => planWithParts(bodies, { stray: true });

  it('registered parts: a run loads each once (a retry loads nothing), skips an empty one and one the manifest does not list; a released run loads nothing', async () => {
    const { plan, name, load, count } = await registeredRun(['1|a\n2|b\n', '', '3|c\n']);
    const loadRun = { load, registeredRun: { attempt: 1, from: 0, to: count } };
    expect(await call(activities.loadPart, loadRun)).toMatchObject({ rows: 3, skipped: 2, alreadyLoaded: false, fresh: { parts: 2, rows: 3 } });
    expect(await call(activities.loadPart, loadRun)).toMatchObject({ rows: 3, alreadyLoaded: true, fresh: { parts: 0, rows: 0 } });
    expect((await db.query(`SELECT id, txt FROM ferry_staging.${name} ORDER BY id`)).rows).toEqual([
      { id: 1, txt: 'a' },
      { id: 2, txt: 'b' },
      { id: 3, txt: 'c' },
    ]);

    const err = await call(activities.loadPart, { load, registered: { attempt: 1, ordinal: 99 } }).catch((e: unknown) => e);
    expect([(err as ApplicationFailure).type, (err as ApplicationFailure).nonRetryable]).toEqual(['TargetBusy', true]);
    expect((err as ApplicationFailure).message).toBe(
      `run ${plan.runId} has no part 99 of unload attempt 1 registered on target public.${name}: the run was released (cancelled or cleaned up) or another run of the target took it over, so nothing is loaded. Start the transfer again if it is still wanted`,
    );
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.${name}`)).rows[0].n).toBe(3);
  });

  it("finalize's proof over the registry: a part not loaded fails PartsDisagree (VerificationFailed on the last try), the target as it was; a tiny table's parts loaded first publish exactly", async () => {
    const { plan, name, load } = await registeredRun(['1|a\n', '2|b\n']);
    await call(activities.loadPart, { load, registered: { attempt: 1, ordinal: 1 } });
    const parts = { attempt: 1, epoch: 0 };
    for (const [lastTry, type, message] of [
      [false, 'PartsDisagree', 'the loaded parts disagree with the manifest: 0001_part_00 is in the manifest but was not loaded'],
      [
        true,
        'VerificationFailed',
        `the parts loaded into staging disagree with the UNLOAD manifest even after loading exactly its parts again: 0001_part_00 is in the manifest but was not loaded. The target public.${name} was not changed; the unloaded files and staging table ferry_staging.${name} are kept for inspection`,
      ],
    ] as const) {
      const err = await call(activities.finalize, { plan, manifestRows: 2, importedRows: 1, parts: { ...parts, lastTry } }).catch((e: unknown) => e);
      expect([(err as ApplicationFailure).type, (err as ApplicationFailure).nonRetryable, (err as ApplicationFailure).message]).toEqual([type, true, message]);
      expect((await db.query(`SELECT id, txt FROM ${name}`)).rows).toEqual([{ id: -1, txt: 'existing' }]);
    }
    // Finalize loads the rest itself (the ledger skips what is there) and publishes the manifest's rows, value by value.
    const published = await call(activities.finalize, {
      plan,
      manifestRows: 2,
      importedRows: 0,
      parts: { ...parts, loadFirst: { attempt: 1, from: 0, to: 3 } },
    });
    expect(published).toMatchObject({ rows: 2, loaded: { parts: 1, rows: 1 } });
    expect((await db.query(`SELECT id, txt FROM ${name} ORDER BY id`)).rows).toEqual([
      { id: 1, txt: 'a' },
      { id: 2, txt: 'b' },
    ]);
  });

  it('loads a part exactly once however often it is retried', async () => {
    const { loadOne, name } = await planWithPart('1|a\n2|\\N\n3|c\\|d\n', { gzip: true });
    const first = await call(activities.loadPart, loadOne);
    const again = await call(activities.loadPart, loadOne);
    expect(first).toMatchObject({ rows: 3, alreadyLoaded: false });
    expect(again).toMatchObject({ rows: 3, alreadyLoaded: true });
    expect((await db.query(`SELECT id, txt FROM ferry_staging.${name} ORDER BY id`)).rows).toEqual([
      { id: 1, txt: 'a' },
      { id: 2, txt: null },
      { id: 3, txt: 'c|d' },
    ]);
  });

  it('fails non-retryably on a malformed row, naming the part and line, loading nothing', async () => {
    const { plan, loadOne, name } = await planWithPart('1|a\nnot-a-number|b\n');
    const err = await call(activities.loadPart, loadOne).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toMatch(
      /^part 0000_part_00 cannot be loaded into public\.\S+: column "id" \(line 2 of the part\): invalid input syntax for type integer: "not-a-number"\. Fix: /,
    );
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.${name}`)).rows[0].n).toBe(0);
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.ferry_ledger WHERE run_id = $1`, [plan.runId])).rows[0].n).toBe(0);
  });

  it('refuses to publish when the counts disagree, leaving the target as it was', async () => {
    const { plan, loadOne, parts, name } = await planWithPart('1|a\n2|b\n');
    const loaded = await call(activities.loadPart, loadOne);
    const err = await call(activities.finalize, { plan, manifestRows: 3, importedRows: loaded.rows, parts }).catch((e: unknown) => e);
    expect((err as ApplicationFailure).nonRetryable).toBe(true);
    expect((err as ApplicationFailure).message).toBe(
      `row counts disagree for public.${name}: manifest 3, imported 2, staged 2; the target was not changed and staging table ferry_staging.${name} is kept for inspection`,
    );
    expect((await db.query(`SELECT id, txt FROM ${name}`)).rows).toEqual([{ id: -1, txt: 'existing' }]);
  });

  it('replaces the target in one transaction when the counts agree, then cleans up its own files only', async () => {
    const { plan, loadOne, parts, name } = await planWithPart('1|a\n2|b\n');
    // A table of the same name in another database shares the target's folder: its run's files are not this run's to delete.
    const othersFile = `${plan.s3.folder}another-run/attempt-1/0000_part_00.gz`;
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: othersFile, Body: gzipSync('9|z\n') }));
    const loaded = await call(activities.loadPart, loadOne);
    const published = await call(activities.finalize, { plan, manifestRows: 2, importedRows: loaded.rows, parts });
    expect(published.rows).toBe(2);
    expect((await db.query(`SELECT id, txt FROM ${name} ORDER BY id`)).rows).toEqual([
      { id: 1, txt: 'a' },
      { id: 2, txt: 'b' },
    ]);
    expect((await db.query(`SELECT to_regclass($1) AS staging`, [`ferry_staging.${name}`])).rows[0].staging).toBeNull();
    expect((await db.query(`SELECT count(*)::int AS n FROM ferry_staging.ferry_parts WHERE run_id = $1`, [plan.runId])).rows[0].n).toBe(0);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: plan.s3.prefix }))).KeyCount).toBe(0);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: stack.bucket, Prefix: plan.s3.folder }));
    expect(left.Contents?.map((o) => o.Key)).toEqual([othersFile]);
  });

  it('a finalize retried after its commit publishes nothing twice', async () => {
    const { plan: replacePlan, loadOne, parts, name } = await planWithPart('1|a\n2|b\n');
    const plan: TransferPlan = { ...replacePlan, target: { ...replacePlan.target, mode: 'append' } };
    const loaded = await call(activities.loadPart, loadOne);
    const first = await call(activities.finalize, { plan, manifestRows: 2, importedRows: loaded.rows, parts });
    // The worker died before reporting: Temporal runs the activity again.
    const again = await call(activities.finalize, { plan, manifestRows: 2, importedRows: loaded.rows, parts });
    expect(again).toMatchObject({ rows: 2, publish: first.publish, lockedMs: 0 });
    expect((await db.query(`SELECT id, txt FROM ${name} ORDER BY id`)).rows).toEqual([
      { id: -1, txt: 'existing' },
      { id: 1, txt: 'a' },
      { id: 2, txt: 'b' },
    ]);
  });
});
