import { WorkflowFailedError } from '@temporalio/client';
import type { Client as PgClient } from 'pg';
import { connect, createDatabase, rowsOf } from './support/databases';
import { startFerry, testConfig, type FerryHarness } from './support/ferry';
import { waitFor } from './support/wait';

describe('load modes and one run per target', () => {
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let src: PgClient;
  let dst: PgClient;
  let ferry: FerryHarness;

  beforeAll(async () => {
    source = await createDatabase('ferry_modes_src');
    target = await createDatabase('ferry_modes_dst');
    src = await connect(source.name);
    dst = await connect(target.name);
    ferry = await startFerry(testConfig(source.name, target.name));
  });

  afterAll(async () => {
    await ferry?.stop();
    await Promise.all([src?.end(), dst?.end()]);
    await source?.drop();
    await target?.drop();
  });

  const run = (input: unknown) =>
    ferry.client.workflow.execute('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: `modes-${Date.now()}-${Math.random()}`, args: [input] });
  const failure = async (input: unknown) => {
    const err = await run(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause as unknown as { type: string; message: string; nonRetryable: boolean };
  };

  it('replace keeps the views, grants, indexes, constraints and triggers of the target', async () => {
    await src.query(`CREATE TABLE r AS SELECT g AS id, 'v' || g AS v FROM generate_series(1, 100) g`);
    await dst.query(`CREATE TABLE r (id int PRIMARY KEY, v text NOT NULL CHECK (v <> ''), touched boolean DEFAULT false)`);
    await dst.query(`CREATE INDEX r_v ON r (v)`);
    await dst.query(`CREATE VIEW r_view AS SELECT id, v FROM r`);
    await dst.query(`CREATE ROLE ferry_reader_${target.name.slice(-8)}`);
    await dst.query(`GRANT SELECT ON r TO ferry_reader_${target.name.slice(-8)}`);
    await dst.query(`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := true; RETURN NEW; END $$`);
    await dst.query(`CREATE TRIGGER r_touch BEFORE INSERT ON r FOR EACH ROW EXECUTE FUNCTION touch()`);
    await dst.query(`INSERT INTO r (id, v) VALUES (1000, 'old')`);

    await run({ source: { connection: 'redshift', table: 'r' }, target: { connection: 'postgres', table: 'r' } });

    expect((await dst.query(`SELECT count(*)::int AS n, bool_and(touched) AS t, max(id) AS m FROM r_view JOIN r USING (id, v)`)).rows[0]).toEqual({ n: 100, t: true, m: 100 });
    const kept = await dst.query(`SELECT
        (SELECT count(*)::int FROM pg_indexes WHERE tablename = 'r') AS indexes,
        (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'r'::regclass) AS constraints,
        (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'r'::regclass AND NOT tgisinternal) AS triggers,
        has_table_privilege('ferry_reader_${target.name.slice(-8)}', 'r', 'SELECT') AS granted`);
    expect(kept.rows[0]).toEqual({ indexes: 2, constraints: 2, triggers: 1, granted: true }); // primary key and check
    await dst.query(`DROP OWNED BY ferry_reader_${target.name.slice(-8)}; DROP ROLE ferry_reader_${target.name.slice(-8)}`);
  });

  it('upsert updates matching keys, inserts new ones and keeps the rest', async () => {
    await src.query(`CREATE TABLE u (a int, b text, val text)`);
    await src.query(`INSERT INTO u VALUES (1, 'x', 'new-1x'), (2, 'x', 'new-2x'), (3, 'y', NULL)`);
    await dst.query(`CREATE TABLE u (a int, b text, val text)`);
    await dst.query(`INSERT INTO u VALUES (1, 'x', 'old-1x'), (1, 'y', 'keep-1y'), (3, 'y', 'old-3y')`);

    const result = await run({ source: { connection: 'redshift', table: 'u' }, target: { connection: 'postgres', table: 'u', mode: 'upsert', key: ['a', 'b'] } });

    expect(result.rows).toBe(3);
    expect(await rowsOf(dst, 'u', 'a, b')).toEqual([
      { a: 1, b: 'x', val: 'new-1x' },
      { a: 1, b: 'y', val: 'keep-1y' },
      { a: 2, b: 'x', val: 'new-2x' },
      { a: 3, b: 'y', val: null },
    ]);
  });

  it('upsert refuses duplicate keys in the source, naming one, target unchanged', async () => {
    await src.query(`CREATE TABLE d (k int, v text)`);
    await src.query(`INSERT INTO d VALUES (1, 'a'), (1, 'b'), (2, 'c')`);
    await dst.query(`CREATE TABLE d (k int, v text)`);
    await dst.query(`INSERT INTO d VALUES (9, 'kept')`);
    const f = await failure({ source: { connection: 'redshift', table: 'd' }, target: { connection: 'postgres', table: 'd', mode: 'upsert', key: ['k'] } });
    expect(f.type).toBe('BadKey');
    expect(f.message).toBe(`cannot upsert into public.d: the source has 2 rows with key (k="1"); target.key must name columns that are unique and not NULL in the source. The target was not changed`);
    expect(await rowsOf(dst, 'd', 'k')).toEqual([{ k: 9, v: 'kept' }]);
  });

  it('upsert needs key columns that are loaded', async () => {
    const f = await failure({ source: { connection: 'redshift', table: 'd' }, target: { connection: 'postgres', table: 'd', mode: 'upsert', key: ['id'] } });
    expect(f.type).toBe('InvalidInput');
    expect(f.message).toMatch(/^target.key column "id" is not among the columns loaded into public.d \(k, v\)/);
    const g = await failure({ source: { connection: 'redshift', table: 'd' }, target: { connection: 'postgres', table: 'd', mode: 'upsert' } });
    expect(g.message).toMatch(/target: target.key lists the columns to match rows on/);
  });

  it('a second run of the same target is rejected while the first runs', async () => {
    await dst.query(`CREATE TABLE busy (x text)`);
    const first = await ferry.client.workflow.start('tableTransfer', {
      taskQueue: ferry.taskQueue,
      workflowId: `busy-first-${Date.now()}`,
      args: [{ source: { connection: 'redshift', query: 'select pg_sleep(600)::text as x' }, target: { connection: 'postgres', table: 'busy' } }],
    });
    await waitFor('the first run to hold the target', async () => (await dst.query(`SELECT 1 FROM ferry_staging.ferry_runs WHERE target = '"public"."busy"'`)).rowCount);
    const f = await failure({ source: { connection: 'redshift', query: "select 'x' as x" }, target: { connection: 'postgres', table: 'busy' } });
    expect(f.type).toBe('TargetBusy');
    expect(f.message).toMatch(new RegExp(`^target "public"."busy" is being loaded by workflow ${first.workflowId} \\(run [\\w-]+, started [\\d-]+T[\\d:.]+Z\\): wait for it to finish or cancel it with \`temporal workflow cancel --workflow-id ${first.workflowId}\`$`));
    await first.cancel();
    await first.result().catch(() => undefined);
    // Cancelling released the target: the next run goes through.
    const ok = await run({ source: { connection: 'redshift', query: "select 'x' as x" }, target: { connection: 'postgres', table: 'busy' } });
    expect(ok.rows).toBe(1);
  });
});

describe('after a failed run', () => {
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let ferry: FerryHarness;

  beforeAll(async () => {
    source = await createDatabase('ferry_left_src');
    target = await createDatabase('ferry_left_dst');
    ferry = await startFerry(testConfig(source.name, target.name));
  });
  afterAll(async () => {
    await ferry?.stop();
    await source?.drop();
    await target?.drop();
  });

  it('staging and files stay for inspection until cleanupTransfer removes them', async () => {
    const [src, dst] = await Promise.all([connect(source.name), connect(target.name)]);
    await src.query(`CREATE TABLE f AS SELECT g::text AS id FROM generate_series(1, 50) g UNION ALL SELECT 'x'`);
    await dst.query(`CREATE TABLE f (id int)`);
    const failed = await ferry.client.workflow
      .execute('tableTransfer', { taskQueue: ferry.taskQueue, workflowId: `left-${Date.now()}`, args: [{ source: { connection: 'redshift', table: 'f' }, target: { connection: 'postgres', table: 'f' } }] })
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect((await dst.query(`SELECT to_regclass('ferry_staging.public__f') IS NOT NULL AS kept`)).rows[0].kept).toBe(true);

    const cleaned = await ferry.client.workflow.execute('cleanupTransfer', {
      taskQueue: ferry.taskQueue,
      workflowId: `cleanup-${Date.now()}`,
      args: [{ target: { connection: 'postgres', table: 'f' } }],
    });
    expect(cleaned.objectsDeleted).toBeGreaterThan(0);
    const left = await dst.query(`SELECT to_regclass('ferry_staging.public__f') AS staging, (SELECT count(*)::int FROM ferry_staging.ferry_runs) AS leases, (SELECT count(*)::int FROM ferry_staging.ferry_ledger) AS ledger`);
    expect(left.rows[0]).toEqual({ staging: null, leases: 0, ledger: 0 });
    expect((await dst.query('SELECT count(*)::int AS n FROM f')).rows[0].n).toBe(0);
    await Promise.all([src.end(), dst.end()]);
  });
});
