import { WorkflowFailedError } from '@temporalio/client';
import { rowsOf } from './support/databases';
import { transferFixture } from './support/ferry';
import { waitFor } from './support/wait';

describe('load modes and one run per target', () => {
  const env = transferFixture('modes');

  const run = (input: unknown) => env.ferry.execute('tableTransfer', input, 'modes');
  const failure = async (input: unknown) => {
    const err = await run(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause as unknown as { type: string; message: string; nonRetryable: boolean };
  };

  it('replace keeps the views, grants, indexes, constraints and triggers of the target', async () => {
    await env.src.query(`CREATE TABLE r AS SELECT g AS id, 'v' || g AS v FROM generate_series(1, 100) g`);
    await env.dst.query(`CREATE TABLE r (id int PRIMARY KEY, v text NOT NULL CHECK (v <> ''), touched boolean DEFAULT false)`);
    await env.dst.query(`CREATE INDEX r_v ON r (v)`);
    await env.dst.query(`CREATE VIEW r_view AS SELECT id, v FROM r`);
    await env.dst.query(`CREATE ROLE ferry_reader_${env.targetDb.slice(-8)}`);
    await env.dst.query(`GRANT SELECT ON r TO ferry_reader_${env.targetDb.slice(-8)}`);
    await env.dst.query(`CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.touched := true; RETURN NEW; END $$`);
    await env.dst.query(`CREATE TRIGGER r_touch BEFORE INSERT ON r FOR EACH ROW EXECUTE FUNCTION touch()`);
    await env.dst.query(`INSERT INTO r (id, v) VALUES (1000, 'old')`);

    await run({ source: { connection: 'redshift', table: 'r' }, target: { connection: 'postgres', table: 'r' } });

    expect((await env.dst.query(`SELECT count(*)::int AS n, bool_and(touched) AS t, max(id) AS m FROM r_view JOIN r USING (id, v)`)).rows[0]).toEqual({
      n: 100,
      t: true,
      m: 100,
    });
    const kept = await env.dst.query(`SELECT
        (SELECT count(*)::int FROM pg_indexes WHERE tablename = 'r') AS indexes,
        (SELECT count(*)::int FROM pg_constraint WHERE conrelid = 'r'::regclass) AS constraints,
        (SELECT count(*)::int FROM pg_trigger WHERE tgrelid = 'r'::regclass AND NOT tgisinternal) AS triggers,
        has_table_privilege('ferry_reader_${env.targetDb.slice(-8)}', 'r', 'SELECT') AS granted`);
    expect(kept.rows[0]).toEqual({ indexes: 2, constraints: 2, triggers: 1, granted: true }); // primary key and check
    await env.dst.query(`DROP OWNED BY ferry_reader_${env.targetDb.slice(-8)}; DROP ROLE ferry_reader_${env.targetDb.slice(-8)}`);
  });

  it('upsert updates matching keys, inserts new ones and keeps the rest', async () => {
    await env.src.query(`CREATE TABLE u (a int, b text, val text)`);
    await env.src.query(`INSERT INTO u VALUES (1, 'x', 'new-1x'), (2, 'x', 'new-2x'), (3, 'y', NULL)`);
    await env.dst.query(`CREATE TABLE u (a int, b text, val text)`);
    await env.dst.query(`INSERT INTO u VALUES (1, 'x', 'old-1x'), (1, 'y', 'keep-1y'), (3, 'y', 'old-3y')`);

    const result = await run({
      source: { connection: 'redshift', table: 'u' },
      target: { connection: 'postgres', table: 'u', mode: 'upsert', key: ['a', 'b'] },
    });

    expect(result.rows).toBe(3);
    expect(await rowsOf(env.dst, 'u', 'a, b')).toEqual([
      { a: 1, b: 'x', val: 'new-1x' },
      { a: 1, b: 'y', val: 'keep-1y' },
      { a: 2, b: 'x', val: 'new-2x' },
      { a: 3, b: 'y', val: null },
    ]);
  });

  it('upsert refuses duplicate keys in the source, naming one, target unchanged', async () => {
    await env.src.query(`CREATE TABLE d (k int, v text)`);
    await env.src.query(`INSERT INTO d VALUES (1, 'a'), (1, 'b'), (2, 'c')`);
    await env.dst.query(`CREATE TABLE d (k int, v text)`);
    await env.dst.query(`INSERT INTO d VALUES (9, 'kept')`);
    const f = await failure({ source: { connection: 'redshift', table: 'd' }, target: { connection: 'postgres', table: 'd', mode: 'upsert', key: ['k'] } });
    expect(f.type).toBe('BadKey');
    expect(f.message).toBe(
      `cannot upsert into public.d: the source has 2 rows with key (k="1"); target.key must name columns that are unique and not NULL in the source. The target was not changed`,
    );
    expect(await rowsOf(env.dst, 'd', 'k')).toEqual([{ k: 9, v: 'kept' }]);
  });

  it('upsert needs key columns that are loaded', async () => {
    const f = await failure({ source: { connection: 'redshift', table: 'd' }, target: { connection: 'postgres', table: 'd', mode: 'upsert', key: ['id'] } });
    expect(f.type).toBe('InvalidInput');
    expect(f.message).toMatch(/^target.key column "id" is not among the columns loaded into public.d \(k, v\)/);
    const g = await failure({ source: { connection: 'redshift', table: 'd' }, target: { connection: 'postgres', table: 'd', mode: 'upsert' } });
    expect(g.message).toMatch(/target: target.key lists the columns to match rows on/);
  });

  it('a second run of the same target is rejected while the first runs', async () => {
    await env.dst.query(`CREATE TABLE busy (x text)`);
    const first = await env.ferry.start(
      'tableTransfer',
      { source: { connection: 'redshift', query: 'select pg_sleep(600)::text as x' }, target: { connection: 'postgres', table: 'busy' } },
      'busy-first',
    );
    await waitFor(
      'the first run to hold the target',
      async () => (await env.dst.query(`SELECT 1 FROM ferry_staging.ferry_runs WHERE target = '"public"."busy"'`)).rowCount,
    );
    const f = await failure({ source: { connection: 'redshift', query: "select 'x' as x" }, target: { connection: 'postgres', table: 'busy' } });
    expect(f.type).toBe('TargetBusy');
    expect(f.message).toMatch(
      new RegExp(
        `^target "public"."busy" is being loaded by workflow ${first.workflowId} \\(run [\\w-]+, started [\\d-]+T[\\d:.]+Z\\): wait for it to finish or cancel it with \`temporal workflow cancel --workflow-id ${first.workflowId}\`$`,
      ),
    );
    await first.cancel();
    await first.result().catch(() => undefined);
    // Cancelling released the target: the next run goes through.
    const ok = await run({ source: { connection: 'redshift', query: "select 'x' as x" }, target: { connection: 'postgres', table: 'busy' } });
    expect(ok.rows).toBe(1);
  });
});

describe('after a failed run', () => {
  const env = transferFixture('left');

  it('staging and files stay for inspection until cleanupTransfer removes them', async () => {
    // A text value of unknown length passes prepare's type check; the one that does not fit fails the load.
    await env.src.query(`CREATE TABLE f AS SELECT g::text AS id FROM generate_series(1, 50) g UNION ALL SELECT 'xyz'`);
    await env.dst.query(`CREATE TABLE f (id varchar(2))`);
    const failed = await env.ferry
      .execute('tableTransfer', { source: { connection: 'redshift', table: 'f' }, target: { connection: 'postgres', table: 'f' } }, 'left')
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect((await env.dst.query(`SELECT to_regclass('ferry_staging.public__f') IS NOT NULL AS kept`)).rows[0].kept).toBe(true);

    const cleaned = await env.ferry.execute('cleanupTransfer', { target: { connection: 'postgres', table: 'f' } }, 'cleanup');
    expect(cleaned.objectsDeleted).toBeGreaterThan(0);
    const left = await env.dst.query(
      `SELECT to_regclass('ferry_staging.public__f') AS staging, (SELECT count(*)::int FROM ferry_staging.ferry_runs) AS leases, (SELECT count(*)::int FROM ferry_staging.ferry_ledger) AS ledger`,
    );
    expect(left.rows[0]).toEqual({ staging: null, leases: 0, ledger: 0 });
    expect((await env.dst.query('SELECT count(*)::int AS n FROM f')).rows[0].n).toBe(0);
  });
});
