import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { Client } from 'pg';
import { createActivities } from '@ferry/activities';
import { loadTargetOf } from '@ferry/contract';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import { overrideUnloadForTests } from '@ferry/type-map';
import { connect, uniqueName } from './support/databases';
import { stack } from './support/env';
import { testConfig, transferFixture } from './support/ferry';
import { ferryCli } from './support/processes';

describe('proving every value', () => {
  const env = transferFixture('verify');
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-verify-'));
  const configFile = path.join(dir, 'ferry.json');
  const file = path.join(dir, 'accounts.yaml');
  const ferry = (...args: string[]) => ferryCli(args, { FERRY_CONFIG: configFile, FERRY_TASK_QUEUE: env.ferry.taskQueue });
  let rs: Client;
  const transfer = (table: string, extra: Record<string, unknown> = {}) => ({
    source: { connection: 'redshift', table: 'public.accounts' },
    target: { connection: 'postgres', table: `public.${table}`, create: 'ifMissing' },
    verify: 'checksum',
    ...extra,
  });

  beforeAll(async () => {
    writeFileSync(configFile, JSON.stringify(testConfig(env.sourceDb, env.targetDb)));
    writeFileSync(
      file,
      'name: accounts\ntables:\n  - { name: accounts, source: { connection: redshift, table: public.accounts }, target: { connection: postgres, table: public.accounts } }\n',
    );
    rs = await connect(env.sourceDb, stack.redshift.port);
    rs.on('error', () => undefined);
    await rs.query(`create table accounts (
      id integer not null, name varchar(40), balance decimal(12,2), opened date, note varchar(20), blob varbyte(16), doc super, at timestamptz, ratio float,
      primary key (id)) distkey(id) sortkey(id)`);
    await rs.query(`insert into accounts
      select g, 'name ' || g, g * 10.25, date '2020-01-01' + g, case when g % 7 = 0 then null else 'n' || g end,
             from_hex(md5(g::text)), json_parse('{"g":' || g || '}'), timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour', g / 3.0
        from generate_series(1, 500) g`);
  });
  afterAll(async () => rs?.end());

  it('the checksum gate passes a faithful copy, and ferry verify reports equality with exit 0', async () => {
    const result = await env.ferry.execute('tableTransfer', transfer('accounts'), 'verify-ok');
    expect(result.rows).toBe(500);
    const r = await ferry('verify', file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^"?public\.accounts"? → public\.accounts: equal \(500 source rows, 500 target rows; 8 column\(s\) compared by key id\)\n {2}not compared: doc \(Redshift's JSON_SERIALIZE and PostgreSQL's jsonb print the same document differently/,
    );
    expect(r.stdout).toContain('all 1 table(s) equal\n');
  });

  it('ferry verify names exactly the changed, deleted, added and NULL-to-empty rows, with their columns, and exits 1', async () => {
    await env.dst.query(`UPDATE accounts SET balance = balance + 1 WHERE id = 10`);
    await env.dst.query(`DELETE FROM accounts WHERE id = 20`);
    await env.dst.query(`INSERT INTO accounts (id, name) VALUES (9999, 'intruder')`);
    await env.dst.query(`UPDATE accounts SET note = '' WHERE id = 21`);
    const r = await ferry('verify', file);
    expect(r.code).toBe(1);
    const differences = r.stdout.split('\n').filter((l) => /^ {2}(missing|extra|changed)/.test(l));
    expect(differences.sort()).toEqual(
      ['  changed:           id=10 (balance)', '  changed:           id=21 (note)', '  extra in target:   id=9999', '  missing in target: id=20'].sort(),
    );
    expect(r.stdout).toMatch(/DIFFERENT \(500 source rows, 500 target rows;/);
    expect(r.stdout).toContain('1 of 1 table(s) differ\n');
  });

  it('the gate stops a lossy unload at the load of its first changed row: VerificationFailed naming the row, target unchanged', async () => {
    await env.dst.query(
      `CREATE TABLE lossy (id integer PRIMARY KEY, name varchar(40), balance numeric(12,2), opened date, note varchar(20), blob bytea, doc jsonb, at timestamptz, ratio double precision)`,
    );
    await env.dst.query(`INSERT INTO lossy (id, name) VALUES (-1, 'kept')`);
    overrideUnloadForTests('varchar', (c) => `SUBSTRING(${c}, 1, 3)`);
    try {
      const err = await env.ferry.execute('tableTransfer', transfer('lossy'), 'verify-lossy').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const load = (err as WorkflowFailedError).cause as { type?: string; nonRetryable?: boolean; message: string; details?: unknown[] };
      expect(load.type).toBe('VerificationFailed');
      expect(load.nonRetryable).toBe(true);
      expect(load.message).toMatch(
        /^a staged row of public\.lossy does not match the source's checksum: id=\d+ \(.*0000_part_00\S*, line \d+\) does not hash to what the source computed for it in the UNLOAD/,
      );
      expect((load.details?.[0] as { changed: { key: { id: string } }[]; truncated: boolean }).changed).toHaveLength(1);
    } finally {
      overrideUnloadForTests('varchar', undefined);
    }
    expect((await env.dst.query('SELECT id, name FROM lossy')).rows).toEqual([{ id: -1, name: 'kept' }]);
  });

  it('the gate passes targets the type map accepts as wider (REAL into double, DECIMAL(12,2) into numeric(14,4), INTEGER into numeric(12,2))', async () => {
    await env.dst.query(
      `CREATE TABLE widened (id numeric(12,2) PRIMARY KEY, name text, balance numeric(14,4), opened date, note text, blob bytea, doc jsonb, at timestamptz, ratio double precision)`,
    );
    await rs.query(`create table reals (id integer primary key, r real, d decimal(12,2))`);
    await rs.query(`insert into reals select g, g / 7.0, g * 1.5 from generate_series(1, 300) g`);
    await env.dst.query(`CREATE TABLE reals (id numeric(12,2) PRIMARY KEY, r double precision, d numeric(14,4))`);
    const result = await env.ferry.execute(
      'tableTransfer',
      { ...transfer('widened'), source: { connection: 'redshift', table: 'public.accounts' } },
      'verify-widened',
    );
    expect(result.rows).toBeGreaterThanOrEqual(500);
    const reals = await env.ferry.execute(
      'tableTransfer',
      { source: { connection: 'redshift', table: 'public.reals' }, target: { connection: 'postgres', table: 'public.reals' }, verify: 'checksum' },
      'verify-reals',
    );
    expect(reals.rows).toBe(300);
  });

  it('tableVerify refuses input it cannot use, naming what is wrong', async () => {
    const failure = async (input: unknown) => {
      const err = await env.ferry.execute('tableVerify', input, 'verify-bad').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      return (err as WorkflowFailedError).cause as { type?: string; nonRetryable?: boolean; message: string };
    };
    const missing = await failure({ source: { connection: 'redshift' }, target: { connection: 'postgres', table: 'accounts' } });
    expect(missing).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(missing.message).toMatch(/^invalid tableVerify input: source: give exactly one of source.table and source.query/);
    const key = await failure({
      source: { connection: 'redshift', table: 'public.accounts' },
      target: { connection: 'postgres', table: 'public.accounts' },
      key: ['doc'],
    });
    expect(key).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(key.message).toBe(
      'verify key "doc" is not a column both public.accounts and public.accounts have with a comparable type (docs/verification.md): name other key columns',
    );
  });

  it('a source written between the UNLOAD and finalize does not fail a checksum run', async () => {
    const activities = createActivities({ config: testConfig(env.sourceDb, env.targetDb), s3: createS3Client(s3SettingsFromEnv()) });
    const call = <I, O>(fn: (input: I) => Promise<O>, input: I) =>
      new MockActivityEnvironment({}, { logger: new DefaultLogger('WARN') }).run(fn, input) as Promise<O>;
    const plan = await call(activities.prepare, {
      workflowId: uniqueName('verify-snapshot'),
      runId: uniqueName('run'),
      ...transfer('snapshot'),
      target: { connection: 'postgres', table: 'public.snapshot', mode: 'replace', create: 'ifMissing' },
      unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
      s3: {},
      verify: 'checksum',
    } as Parameters<typeof activities.prepare>[0]);
    expect(plan.verify).toMatchObject({ mode: 'checksum', key: ['id'], carried: 'ferry_row_hash', check: { name: 'ferry_row_hash_matches' } });
    const unloaded = await call(activities.unload, { ...plan, partsRegistry: { signalEvery: 0 } });
    // The source's side travels in the parts, not in the result.
    expect(unloaded.checksum).toBeUndefined();
    await rs.query(`update accounts set balance = 0, name = 'changed later' where id <= 5`);
    await rs.query(`insert into accounts (id, name) values (100000, 'arrived later')`);
    const { attempt, partsRegistered } = unloaded;
    const loaded = await call(activities.loadPart, { load: loadTargetOf(plan), registeredRun: { attempt, from: 0, to: partsRegistered } });
    const published = await call(activities.finalize, {
      plan,
      manifestRows: unloaded.rows,
      importedRows: loaded.rows,
      sourceChecksum: unloaded.checksum,
      parts: { attempt, epoch: 0 },
    });
    expect(published.rows).toBe(500);
    expect((await env.dst.query(`SELECT name FROM snapshot WHERE id = 1`)).rows).toEqual([{ name: 'name 1' }]);
  });
});
