import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import type { SyncResult } from '@ferry/contract';
import type { Client } from 'pg';
import { connect, rowsOf } from './support/databases';
import { stack } from './support/env';
import { testConfig, transferFixture } from './support/ferry';
import { ferryCli } from './support/processes';
import { waitFor } from './support/wait';

/** mode sync (docs/sync.md): the target made equal to the source by moving only the segments that differ. */
describe('sync', () => {
  const env = transferFixture('sync', { awsS3Local: true });
  let rs: Client;

  beforeAll(async () => {
    rs = await connect(env.sourceDb, stack.redshift.port);
    rs.on('error', () => undefined);
  });
  afterAll(() => rs.end());

  const sync = (table: string, method: string, extra: Record<string, unknown> = {}) =>
    env.ferry.execute(
      'tableTransfer',
      {
        source: { connection: 'redshift', table: `public.${table}` },
        target: { connection: 'postgres', table: `public.${table}`, mode: 'sync', create: 'ifMissing' },
        load: { method },
        ...extra,
      },
      `sync-${table}`,
    ) as Promise<{ rows: number; sync: SyncResult }>;
  const failure = async (p: Promise<unknown>) => {
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause as unknown as { type: string; message: string };
  };
  /** Value by value: every row of both sides, as node-postgres reads them. */
  const expectEqual = async (table: string) => expect(await rowsOf(env.dst, table, 'id')).toEqual(await rowsOf(env.src, table, 'id'));
  const verify = (table: string) =>
    env.ferry.execute(
      'tableVerify',
      { source: { connection: 'redshift', table: `public.${table}` }, target: { connection: 'postgres', table: `public.${table}` } },
      `verify-${table}`,
    ) as Promise<{ equal: boolean }>;

  const create = async (table: string, rows: number) => {
    await rs.query(
      `create table ${table} (id integer not null primary key, name varchar(40), note varchar(20), amount decimal(12,2), at timestamp, ok boolean, ratio float)`,
    );
    await env.src.query(
      `INSERT INTO ${table} SELECT g, 'name ' || g, CASE WHEN g % 7 = 0 THEN NULL WHEN g % 11 = 0 THEN '' ELSE 'n' || (g % 13) END, g * 1.25, timestamp '2024-01-01' + g * interval '1 minute', g % 2 = 0, g / 3.0 FROM generate_series(1, ${rows}) g`,
    );
  };

  describe.each(['copy', 'aws_s3'])('load.method %s', (method) => {
    const table = `orders_${method}`;

    it('a first sync into an empty target copies every row', async () => {
      await create(table, 4000);
      const first = await sync(table, method);
      expect(first.sync).toEqual({
        segmentsCompared: 0,
        segmentsDiffering: 0,
        rowsUnloaded: 4000,
        rowsWritten: 4000,
        rowsDeleted: 0,
        fellBackToFull: true,
        reason: 'the target is empty: a first sync copies every row',
      });
      await expectEqual(table);
    });

    it('moves only the differing segments: updates, deletes, inserts, NULL and empty text, a segment emptied, rows only the target had', async () => {
      await env.src.query(`UPDATE ${table} SET amount = amount + 1 WHERE id IN (10, 20, 30)`);
      await env.src.query(`UPDATE ${table} SET note = '' WHERE id = 14`); // NULL → ''
      await env.src.query(`UPDATE ${table} SET note = NULL WHERE id = 22`); // '' → NULL
      await env.src.query(`UPDATE ${table} SET name = 'other', note = 'x', amount = -1, at = NULL, ok = NULL, ratio = 'NaN' WHERE id = 40`);
      await env.src.query(`DELETE FROM ${table} WHERE id IN (50, 60)`);
      // Every row of one segment (the first two hex digits of md5 of the key: 256 segments for 4,000 rows).
      const emptied = (await env.src.query(`DELETE FROM ${table} WHERE substring(md5(id::text), 1, 2) = 'ab'`)).rowCount!;
      await env.src.query(`INSERT INTO ${table} (id, name) VALUES (5001, 'new'), (5002, NULL)`);
      await env.dst.query(`INSERT INTO ${table} (id, name) VALUES (9001, 'only in the target')`);
      // An unchanged row in a segment that differs (id 10's): kept, not rewritten.
      const neighbour = (
        await env.dst.query(`SELECT id, xmin::text AS x FROM ${table} WHERE substring(md5(id::text), 1, 2) = substring(md5('10'), 1, 2) AND id <> 10 LIMIT 1`)
      ).rows;

      const result = await sync(table, method);

      await expectEqual(table);
      expect(result.sync.fellBackToFull).toBe(false);
      expect(result.sync.segmentsCompared).toBe(256);
      expect(result.sync.rowsDeleted).toBe(2 + emptied + 1);
      // 3 updates, 2 NULL/'' changes, the row whose every column changed, 2 new rows.
      expect(result.sync.rowsWritten).toBe(8);
      expect(result.sync.segmentsDiffering).toBeLessThanOrEqual(12);
      // About 16 rows a segment: the differing segments' rows, not the table's.
      expect(result.sync.rowsUnloaded).toBeLessThan(300);
      expect(result.rows).toBe(result.sync.rowsUnloaded);
      expect((await env.dst.query(`SELECT id, xmin::text AS x FROM ${table} WHERE id = $1`, [neighbour[0].id])).rows).toEqual(neighbour);
      expect((await verify(table)).equal).toBe(true);
    });

    it('with nothing changed, moves nothing', async () => {
      const result = await sync(table, method);
      expect(result.sync).toMatchObject({ segmentsDiffering: 0, rowsUnloaded: 0, rowsWritten: 0, rowsDeleted: 0, fellBackToFull: false });
      await expectEqual(table);
    });

    it('falls back to copying every row when more segments differ than fullCopyAbove', async () => {
      await env.src.query(`UPDATE ${table} SET ok = NOT ok WHERE id % 3 = 0`);
      const result = await sync(table, method);
      expect(result.sync.fellBackToFull).toBe(true);
      expect(result.sync.reason).toMatch(/^\d+ of \d+ segments differ, more than fullCopyAbove \(0.25\): every row is copied$/);
      expect(result.sync.rowsUnloaded).toBe(result.rows);
      await expectEqual(table);
    });

    it('an empty source empties the target, by segments or by a full copy', async () => {
      await env.src.query(`DELETE FROM ${table} WHERE id > 100`);
      await sync(table, method);
      await expectEqual(table);
      const left = (await env.dst.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
      expect(left).toBeGreaterThan(90);
      await env.src.query(`DELETE FROM ${table}`);
      const bySegments = await sync(table, method, { sync: { fullCopyAbove: 1 } });
      expect(bySegments.sync).toMatchObject({ fellBackToFull: false, rowsUnloaded: 0, rowsDeleted: left });
      expect((await env.dst.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(0);
    });
  });

  it('the source written during a sync is in it entirely or not at all', async () => {
    const table = 'written';
    await create(table, 3000);
    await sync(table, 'copy');
    await env.src.query(`UPDATE ${table} SET name = 'changed before' WHERE id IN (1, 2)`);
    // The comparison reads the source through this function, which waits on a lock the test holds.
    const holder = await connect(env.sourceDb);
    await env.src.query(
      `CREATE OR REPLACE FUNCTION sync_gate() RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_lock(4343); PERFORM pg_advisory_unlock(4343); RETURN true; END $$`,
    );
    await holder.query(`SELECT pg_advisory_lock(4343)`);
    const running = env.ferry.execute(
      'tableTransfer',
      {
        source: { connection: 'redshift', query: `select * from ${table} where sync_gate()` },
        target: { connection: 'postgres', table: `public.${table}`, mode: 'sync', key: ['id'] },
      },
      `sync-${table}`,
    ) as Promise<{ sync: SyncResult }>;
    // The comparison has its snapshot once it waits at the gate.
    await waitFor(
      'the comparison at the gate',
      async () => (await env.src.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event = 'advisory' AND query LIKE '%ferry_sync_summary%'`)).rowCount! > 0,
      60_000,
    );
    // One transaction of the source, in two segments: the sync sees both rows or neither.
    await env.src.query(`BEGIN; UPDATE ${table} SET name = 'during' WHERE id IN (3, 4000 - 1000); DELETE FROM ${table} WHERE id = 5; COMMIT`);
    await holder.query(`SELECT pg_advisory_unlock(4343)`);
    const result = await running;
    await holder.end();

    const target = (await env.dst.query(`SELECT id, name FROM ${table} WHERE id IN (1, 2, 3, 3000, 5) ORDER BY id`)).rows;
    expect(target).toEqual([
      { id: 1, name: 'changed before' },
      { id: 2, name: 'changed before' },
      { id: 3, name: 'name 3' },
      { id: 5, name: 'name 5' },
      { id: 3000, name: 'name 3000' },
    ]);
    expect(result.sync.rowsWritten).toBe(2);
    // The next sync brings the write, whole.
    const next = await sync(table, 'copy');
    expect(next.sync.rowsWritten).toBe(2);
    expect(next.sync.rowsDeleted).toBe(1);
    await expectEqual(table);
  });

  it('a pipeline keeps a discovered schema converging: each table synced, small ones in one activity; ferry plan says what a sync compares', async () => {
    await rs.query('create schema shop');
    for (const t of ['items', 'stock']) {
      await rs.query(`create table shop.${t} (id integer not null primary key, label varchar(20), qty integer)`);
      await env.src.query(`INSERT INTO shop.${t} SELECT g, 'label ' || g, g % 17 FROM generate_series(1, 2000) g`);
    }
    const doc = {
      name: 'shop-sync',
      defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', create: 'ifMissing', mode: 'sync' } },
      tables: [{ name: 'shop', source: { schema: 'shop' }, target: { schema: 'shop' } }],
    };
    const runPipeline = () => env.ferry.execute('pipelineRun', doc, 'shop-sync') as Promise<{ succeeded: number; failed: number }>;
    expect(await runPipeline()).toMatchObject({ succeeded: 2, failed: 0 });
    await env.src.query(
      `UPDATE shop.items SET qty = NULL WHERE id % 400 = 0; DELETE FROM shop.stock WHERE id % 500 = 0; INSERT INTO shop.stock VALUES (9999, 'new', 1)`,
    );
    expect(await runPipeline()).toMatchObject({ succeeded: 2, failed: 0 });
    for (const t of ['shop.items', 'shop.stock']) expect(await rowsOf(env.dst, t, 'id')).toEqual(await rowsOf(env.src, t, 'id'));

    const dir = mkdtempSync(path.join(tmpdir(), 'ferry-sync-'));
    writeFileSync(path.join(dir, 'ferry.json'), JSON.stringify(testConfig(env.sourceDb, env.targetDb)));
    writeFileSync(path.join(dir, 'shop.yaml'), JSON.stringify(doc));
    const plan = await ferryCli(['plan', path.join(dir, 'shop.yaml')], { FERRY_CONFIG: path.join(dir, 'ferry.json'), FERRY_TASK_QUEUE: env.ferry.taskQueue });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('shop.items: redshift shop.items → postgres shop.items (sync)');
    expect(plan.stdout).toContain(
      "compare: shop.items and shop.items by segments of md5(the target's primary key) (16 to 16^5 of them, about 32 rows each, from the target's size), the source's from the UNLOAD's own snapshot; an empty target, or more than 0.25 of the segments differing: every row is copied",
    );
  });

  it('a column added to the target (onSchemaChange: addColumns) copies every row, since each needs its value', async () => {
    const table = 'grown';
    await create(table, 500);
    await sync(table, 'copy');
    await rs.query(`alter table ${table} add column extra varchar(10) default 'x'`);
    const result = await sync(table, 'copy', { onSchemaChange: 'addColumns' });
    expect(result.sync).toMatchObject({ fellBackToFull: true, reason: 'a column is added to the target (onSchemaChange: addColumns): every row is copied' });
    await expectEqual(table);
  });

  it('updates a changed row in place: columns only the target has and rows referencing it stay', async () => {
    const table = 'parents';
    await create(table, 300);
    await sync(table, 'copy');
    await env.dst.query(`ALTER TABLE ${table} ADD COLUMN local_note text DEFAULT 'default'`);
    await env.dst.query(`UPDATE ${table} SET local_note = 'kept' WHERE id = 7`);
    await env.dst.query(`CREATE TABLE children (id int PRIMARY KEY, parent int REFERENCES ${table} (id) ON DELETE CASCADE)`);
    await env.dst.query(`INSERT INTO children VALUES (1, 7), (2, 8)`);
    await env.src.query(`UPDATE ${table} SET name = 'renamed' WHERE id IN (7, 8)`);

    const result = await sync(table, 'copy');

    expect(result.sync).toMatchObject({ fellBackToFull: false, rowsWritten: 2, rowsDeleted: 0 });
    expect((await env.dst.query(`SELECT id, name, local_note FROM ${table} WHERE id IN (7, 8) ORDER BY id`)).rows).toEqual([
      { id: 7, name: 'renamed', local_note: 'kept' },
      { id: 8, name: 'renamed', local_note: 'default' },
    ]);
    expect((await env.dst.query(`SELECT count(*)::int AS n FROM children`)).rows[0].n).toBe(2);
  });

  it('a target that does not end equal to the snapshot (a trigger alters the rows written) fails the proof and keeps the target as it was', async () => {
    const table = 'altered';
    await create(table, 300);
    await sync(table, 'copy');
    await env.dst.query(`CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); RETURN NEW; END $$`);
    await env.dst.query(`CREATE TRIGGER shout BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION shout()`);
    await env.src.query(`UPDATE ${table} SET name = 'changed' WHERE id = 5`);
    const before = await rowsOf(env.dst, table, 'id');

    const f = await failure(sync(table, 'copy'));

    expect(f.type).toBe('VerificationFailed');
    expect(f.message).toMatch(
      /^the sync of public.altered did not come out equal to the source's snapshot \(segments [0-9a-f]+ \(source \d+ rows, target \d+\)\), so nothing was published: the target was not changed\. Either something other than ferry wrote the target/,
    );
    expect(await rowsOf(env.dst, table, 'id')).toEqual(before);
  });

  it('a column the row hash leaves out (SUPER) makes every sync a full copy, and says why', async () => {
    await rs.query(`create table docs (id integer not null primary key, doc super)`);
    await rs.query(`insert into docs values (1, json_parse('{"a": 1}')), (2, json_parse('[1, 2]'))`);
    await sync('docs', 'copy');
    await rs.query(`update docs set doc = json_parse('{"a": 2}') where id = 1`);
    const result = await sync('docs', 'copy');
    expect(result.sync.fellBackToFull).toBe(true);
    expect(result.sync.reason).toMatch(/^column "doc" \(.+\): a change in it would not show, so every row is copied$/);
    expect((await env.dst.query(`SELECT id, doc FROM docs ORDER BY id`)).rows).toEqual([
      { id: 1, doc: { a: 2 } },
      { id: 2, doc: [1, 2] },
    ]);
  });

  it('refuses a key no unique index guarantees, and a source that repeats the key, target unchanged', async () => {
    await create('repeats', 200);
    await sync('repeats', 'copy');
    await env.dst.query(`ALTER TABLE repeats ALTER COLUMN name SET NOT NULL`);
    const notUnique = await failure(sync('repeats', 'copy', { target: { connection: 'postgres', table: 'public.repeats', mode: 'sync', key: ['name'] } }));
    expect(notUnique.type).toBe('InvalidInput');
    expect(notUnique.message).toMatch(
      /^mode sync matches each row by target.key \("name"\), but no unique index or primary key of public.repeats makes it unique/,
    );
    await env.src.query(`INSERT INTO repeats (id, name) VALUES (10, 'twice')`);
    const repeated = await failure(sync('repeats', 'copy'));
    expect(repeated.type).toBe('BadKey');
    expect(repeated.message).toMatch(/^cannot sync into public.repeats: the source has 2 rows with key \(id="10"\)/);
    expect((await env.dst.query(`SELECT name FROM repeats WHERE id = 10`)).rows).toEqual([{ name: 'name 10' }]);
  });

  it('refuses a target without a key, or with a key that may be NULL, before anything moves', async () => {
    await rs.query(`create table nokey (id integer, v varchar(10))`);
    await env.src.query(`INSERT INTO nokey VALUES (1, 'a')`);
    await env.dst.query(`CREATE TABLE nokey (id integer, v text)`);
    await env.dst.query(`INSERT INTO nokey VALUES (7, 'kept')`);
    const none = await failure(sync('nokey', 'copy'));
    expect(none.type).toBe('InvalidInput');
    expect(none.message).toBe(
      'mode sync locates rows by a key, and public.nokey has no primary key: give target.key (columns that identify a row), or add a primary key to the target',
    );
    const nullable = await failure(sync('nokey', 'copy', { target: { connection: 'postgres', table: 'public.nokey', mode: 'sync', key: ['id'] } }));
    expect(nullable.message).toMatch(/^mode sync matches rows on target.key, but "id" of public.nokey may hold NULL/);
    expect(await rowsOf(env.dst, 'nokey', 'id')).toEqual([{ id: 7, v: 'kept' }]);
  });
});
