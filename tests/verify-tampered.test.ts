import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Client } from 'pg';
import { createActivities } from '@ferry/activities';
import { loadTargetOf, type PrepareInput, type TransferPlan } from '@ferry/contract';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import { quoteQualified } from '@ferry/sql';
import { connect, uniqueName } from './support/databases';
import { stack } from './support/env';
import { testConfig, transferFixture } from './support/ferry';

/**
 * The checksum gate against a value changed in staging after its part was loaded and before
 * finalize publishes (the test is the hook: it runs the activities itself and writes between
 * them), in every mode and on both publishing paths. Staging's CHECK refuses the change; with
 * the CHECK dropped first, finalize finds the change by one pass over staging: caught, the key
 * and column named, the target untouched.
 */
describe('the checksum gate sees a value changed between load and publish', () => {
  const env = transferFixture('tampered');
  let rs: Client;
  let activities: ReturnType<typeof createActivities>;
  const call = <I, O>(fn: (input: I) => Promise<O>, input: I) =>
    new MockActivityEnvironment({}, { logger: new DefaultLogger('WARN') }).run(fn, input) as Promise<O>;

  beforeAll(async () => {
    activities = createActivities({ config: testConfig(env.sourceDb, env.targetDb), s3: createS3Client(s3SettingsFromEnv()) });
    rs = await connect(env.sourceDb, stack.redshift.port);
    rs.on('error', () => undefined);
    // `plain` publishes by swapping its twin in where the mode allows; `withbytes` stages its VARBYTE as text, so it always inserts.
    await rs.query(`create table plain (id integer not null, name varchar(40), balance decimal(12,2), ratio float, primary key (id))`);
    await rs.query(`insert into plain select g, 'name ' || g, g * 10.25, g / 3.0 from generate_series(1, 300) g`);
    await rs.query(`create table withbytes (id integer not null, name varchar(40), blob varbyte(16), primary key (id))`);
    await rs.query(`insert into withbytes select g, 'name ' || g, from_hex(md5(g::text)) from generate_series(1, 300) g`);
  });
  afterAll(async () => rs?.end());

  /** prepare → unload → load every part → the hook → finalize, as the workflow runs them. */
  async function runWithHook(input: Omit<PrepareInput, 'workflowId' | 'runId' | 'unload' | 's3'>, hook: (plan: TransferPlan) => Promise<void>) {
    const plan = await call(activities.prepare, {
      workflowId: uniqueName('tampered'),
      runId: uniqueName('run'),
      unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
      s3: {},
      ...input,
    } as PrepareInput);
    const unloaded = await call(activities.unload, { ...plan, partsRegistry: { signalEvery: 0 } });
    const { attempt, partsRegistered } = unloaded;
    const loaded = await call(activities.loadPart, { load: loadTargetOf(plan), registeredRun: { attempt, from: 0, to: partsRegistered } });
    await hook(plan);
    const finalized = call(activities.finalize, { plan, manifestRows: unloaded.rows, importedRows: loaded.rows, parts: { attempt, epoch: 0 } });
    return { plan, finalized };
  }

  const rowsOf = async (table: string) => (await env.dst.query(`SELECT * FROM ${table} ORDER BY 1`)).rows;
  const plainTarget = (table: string, rows: string) =>
    env.dst.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, name varchar(40), balance numeric(12,2), ratio double precision);
                   INSERT INTO ${table} SELECT g, 'old ' || g, 0, 0 FROM generate_series(${rows}) g`);

  it.each([
    { name: 'replace, swapped in', source: 'plain', mode: 'replace', existing: '1, 10', path: 'swap' },
    { name: 'replace, inserted (VARBYTE is staged as text)', source: 'withbytes', mode: 'replace', existing: '1, 10', path: 'insert' },
    { name: 'append into an empty target, swapped in', source: 'plain', mode: 'append', existing: '1, 0', path: 'swap' },
    { name: 'append, inserted', source: 'plain', mode: 'append', existing: '1000, 1010', path: 'insert' },
    { name: 'upsert', source: 'plain', mode: 'upsert', key: ['id'], existing: '1, 10', path: 'insert' },
    { name: 'incremental append above the mark', source: 'plain', mode: 'append', incremental: { column: 'id' }, existing: '1, 100', path: 'insert' },
  ])('$name: VerificationFailed naming the key and column, target unchanged', async ({ source, mode, key, existing, incremental, path }) => {
    const table = uniqueName('t');
    if (source === 'plain') await plainTarget(table, existing);
    else {
      await env.dst.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, name varchar(40), blob bytea);
                           INSERT INTO ${table} SELECT g, 'old ' || g, NULL FROM generate_series(${existing}) g`);
    }
    const before = await rowsOf(table);
    const tampered = 150;
    const { plan, finalized } = await runWithHook(
      {
        source: { connection: 'redshift', table: `public.${source}` },
        target: { connection: 'postgres', table: `public.${table}`, mode: mode as 'replace', ...(key && { key }) },
        ...(incremental && { incremental }),
        verify: 'checksum',
      },
      async (plan) => {
        const staging = quoteQualified(plan.target.staging);
        // While staging's CHECK stands, a changed value is refused outright.
        await expect(env.dst.query(`UPDATE ${staging} SET name = 'tampered' WHERE id = ${tampered}`)).rejects.toThrow(
          /violates check constraint "ferry_row_hash_matches"/,
        );
        await env.dst.query(`ALTER TABLE ${staging} DROP CONSTRAINT ferry_row_hash_matches`);
        const changed = await env.dst.query(`UPDATE ${staging} SET name = 'tampered' WHERE id = ${tampered}`);
        expect(changed.rowCount).toBe(1);
      },
    );
    expect(plan.target.publish?.path).toBe(path);
    const err = (await finalized.then(
      () => undefined,
      (e: unknown) => e,
    )) as { type?: string; nonRetryable?: boolean; message: string; details?: unknown[] };
    expect(err).toMatchObject({ type: 'VerificationFailed', nonRetryable: true });
    expect(err.message).toContain(`do not match the source's checksum; the target was not changed`);
    expect(err.message).toMatch(new RegExp(`^  changed: {11}id=${tampered} \\(name\\)$`, 'm'));
    expect(err.details?.[0]).toMatchObject({
      changed: [{ key: { id: String(tampered) }, columns: ['name'] }],
      sourceChangedSinceSnapshot: false,
      truncated: false,
    });
    expect(await rowsOf(table)).toEqual(before);
  });

  it('without a key the gate still fails the run, and says the rows cannot be located', async () => {
    const table = uniqueName('t');
    await env.dst.query(`CREATE TABLE ${table} (id integer, name varchar(40), balance numeric(12,2), ratio double precision)`);
    const { finalized } = await runWithHook(
      {
        source: { connection: 'redshift', table: 'public.plain' },
        target: { connection: 'postgres', table: `public.${table}`, mode: 'replace' },
        verify: 'checksum',
      },
      async (plan) => {
        // A CHECK replaced by a weaker one is no proof either: finalize compares its definition with the one prepare made.
        const staging = quoteQualified(plan.target.staging);
        await env.dst.query(`ALTER TABLE ${staging} DROP CONSTRAINT ferry_row_hash_matches, ADD CONSTRAINT ferry_row_hash_matches CHECK (id > 0)`);
        await env.dst.query(`UPDATE ${staging} SET ratio = ratio + 1e-12 WHERE id = 3`);
      },
    );
    const err = (await finalized.then(
      () => undefined,
      (e: unknown) => e,
    )) as { type?: string; message: string };
    expect(err.type).toBe('VerificationFailed');
    expect(err.message).toContain('the rows that differ cannot be located without a key');
    expect(await rowsOf(table)).toEqual([]);
  });

  it('a source column named ferry_row_hash is refused before anything moves, with the way out; target unchanged', async () => {
    await rs.query(`create table clash (id integer, ferry_row_hash varchar(32))`);
    await rs.query(`insert into clash values (1, 'mine')`);
    const table = uniqueName('t');
    await env.dst.query(`CREATE TABLE ${table} (id integer, ferry_row_hash varchar(32)); INSERT INTO ${table} VALUES (7, 'kept')`);
    const err = (await call(activities.prepare, {
      workflowId: uniqueName('clash'),
      runId: uniqueName('run'),
      source: { connection: 'redshift', table: 'public.clash' },
      target: { connection: 'postgres', table: `public.${table}`, mode: 'replace' },
      unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
      s3: {},
      verify: 'checksum',
    } as PrepareInput).then(
      () => undefined,
      (e: unknown) => e,
    )) as { type?: string; nonRetryable?: boolean; message: string };
    expect(err).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(err.message).toBe(
      'public.clash has a column named "ferry_row_hash", the name the checksum gate carries each row\'s hash under: rename it in source.query (… AS another_name), or set verify: counts',
    );
    expect(await rowsOf(table)).toEqual([{ id: 7, ferry_row_hash: 'kept' }]);
  });

  it('a faithful run publishes, and the published table has no trace of the hashes', async () => {
    const table = uniqueName('t');
    await plainTarget(table, '1, 0');
    const { finalized } = await runWithHook(
      {
        source: { connection: 'redshift', table: 'public.plain' },
        target: { connection: 'postgres', table: `public.${table}`, mode: 'replace' },
        verify: 'checksum',
      },
      async () => undefined,
    );
    expect((await finalized).rows).toBe(300);
    const columns = await env.dst.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table]);
    expect(columns.rows.map((r) => r.column_name)).toEqual(['id', 'name', 'balance', 'ratio']);
    await rs.query('set extra_float_digits to 2');
    const src = (await rs.query(`select id, name, balance::text as balance, ratio from plain order by id`)).rows;
    const dst = (await env.dst.query(`SELECT id, name, balance::text AS balance, ratio FROM ${table} ORDER BY id`)).rows;
    expect(dst).toEqual(src);
  });
});
