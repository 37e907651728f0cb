import { WorkflowFailedError } from '@temporalio/client';
import type { Client } from 'pg';
import { canonicalRows, columnsOf } from '../tools/demo/canonical';
import { connect, uniqueName } from './support/databases';
import { stack } from './support/env';
import { transferFixture } from './support/ferry';
import { waitFor } from './support/wait';
import { seedTickit, tickitDdl, TICKIT_TABLES } from '../tools/demo/tickit';

/** A table's rows compared value by value between the source and the target. */
async function expectSameRows(src: Client, dst: Client, source: string, target: string) {
  const columns = (await columnsOf(dst, target)).map((c) => [c.name, c.type] as [string, string]);
  const order = columns.map((_, i) => i + 1).join(', ');
  const [a, b] = [await canonicalRows(src, source, columns, order), await canonicalRows(dst, target, columns, order)];
  expect(b.length).toBe(a.length);
  expect(b).toEqual(a);
}

const failureOf = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let cause = (err as WorkflowFailedError).cause as { message: string; type?: string; nonRetryable?: boolean; cause?: unknown };
  while (cause.cause && !cause.type) cause = cause.cause as typeof cause;
  return cause;
};

describe('migrating a Redshift schema into PostgreSQL', () => {
  const env = transferFixture('schema', { targetPostgis: true });
  let rs: Client;
  const pipeline = (name: string, entry: Record<string, unknown>) => ({
    name,
    defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', create: 'ifMissing' } },
    tables: [entry],
  });

  beforeAll(async () => {
    rs = await connect(env.sourceDb, stack.redshift.port);
    rs.on('error', () => undefined);
    await rs.query('create schema tickit');
    for (const statement of tickitDdl('tickit')) await rs.query(statement);
    await seedTickit(rs, 'tickit', 600);
    await rs.query(`create view tickit.big_sales as select salesid, pricepaid from tickit.sales where pricepaid > 1000`);
    await rs.query(`create view tickit.late_sales as select salesid, qtysold from tickit.sales with no schema binding`);
    await rs.query(`create materialized view tickit.sales_by_day as select dateid, sum(qtysold) as sold from tickit.sales group by dateid`);
  });
  afterAll(async () => rs?.end());

  it('discovers every table and view (late-binding and materialized too), creates each target from the catalog and moves every value', async () => {
    const result = await env.ferry.execute(
      'pipelineRun',
      pipeline('tickit', { name: 'tickit', source: { schema: 'tickit' }, target: { schema: 'tickit_copy', indexes: 'sortKey' } }),
      'schema',
    );
    const names = [...TICKIT_TABLES, 'big_sales', 'late_sales', 'sales_by_day'].sort();
    expect(result).toMatchObject({ succeeded: names.length, failed: 0, skipped: 0 });
    expect(result.tables.map((t: { name: string }) => t.name).sort()).toEqual(names.map((n) => `tickit.${n}`));
    for (const table of names) await expectSameRows(env.src, env.dst, `tickit.${table}`, `tickit_copy.${table}`);

    // The DDL the docs promise (docs/types.md): mapped types, NOT NULL, defaults, identity, keys, comments.
    expect(await columnsOf(env.dst, 'tickit_copy.clicks')).toEqual([
      { name: 'clickid', type: 'bigint', notNull: true, identity: true, default: null },
      { name: 'userid', type: 'integer', notNull: true, identity: false, default: null },
      { name: 'clicked_at', type: 'timestamp with time zone', notNull: true, identity: false, default: "date_trunc('second'::text, now())" },
      { name: 'page', type: 'character varying(256)', notNull: false, identity: false, default: "'home'::character varying" },
      { name: 'payload', type: 'jsonb', notNull: false, identity: false, default: null },
      { name: 'fingerprint', type: 'bytea', notNull: false, identity: false, default: null },
      { name: 'location', type: 'geometry', notNull: false, identity: false, default: null },
    ]);
    expect((await columnsOf(env.dst, 'tickit_copy.date')).map((c) => [c.name, c.type, c.notNull, c.default])).toEqual([
      ['dateid', 'smallint', true, null],
      ['caldate', 'date', true, null],
      ['day', 'character(3)', true, null],
      ['week', 'smallint', true, null],
      ['month', 'character(5)', true, null],
      ['qtr', 'character(5)', true, null],
      ['year', 'smallint', true, null],
      ['holiday', 'boolean', false, 'false'],
    ]);
    const keys = await env.dst.query(
      `SELECT conrelid::regclass::text AS t, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'tickit_copy'::regnamespace AND contype IN ('p', 'u') ORDER BY 1`,
    );
    expect(keys.rows).toEqual([{ t: 'tickit_copy.clicks', def: 'PRIMARY KEY (clickid)' }]);
    const index = await env.dst.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'tickit_copy' AND indexname = 'clicks_sortkey'`);
    expect(index.rows[0].indexdef).toBe('CREATE INDEX clicks_sortkey ON tickit_copy.clicks USING btree (clicked_at, userid)');
    const comments = await env.dst.query(
      `SELECT obj_description('tickit_copy.clicks'::regclass, 'pg_class') AS t, col_description('tickit_copy.clicks'::regclass, 5) AS c`,
    );
    expect(comments.rows[0]).toEqual({ t: 'Page clicks, one row each', c: "the client's event, as JSON" });
    // The identity sequence moved past the loaded values: the next row gets a new id.
    await env.dst.query(`INSERT INTO tickit_copy.clicks (userid) VALUES (1)`);
    const ids = await env.dst.query(`SELECT count(*)::int AS n, count(DISTINCT clickid)::int AS d FROM tickit_copy.clicks`);
    expect(ids.rows[0].n).toBe(ids.rows[0].d);
    // Distribution and encodings have no PostgreSQL meaning: nothing of them is in the target.
    expect(result.tables.find((t: { name: string }) => t.name === 'tickit.clicks')).toMatchObject({ status: 'succeeded' });
  });

  it('a discovery entry naming a schema that does not exist fails, naming it, and starts no table', async () => {
    const f = await failureOf(
      env.ferry.execute('pipelineRun', pipeline('typo', { name: 'typo', source: { schema: 'tickitt' }, target: { schema: 'typo_copy' } }), 'typo'),
    );
    expect(f.message).toContain('source schema "tickitt" of pipeline entry "typo" does not exist on connection "redshift": check source.schema');
    expect((await env.dst.query(`SELECT to_regnamespace('typo_copy') AS s`)).rows[0].s).toBeNull();
  });

  it('a scheduled pipeline picks up a table added to the source schema between two runs', async () => {
    await rs.query('create schema growing');
    await rs.query('create table growing.first (id int primary key, v varchar(10)) diststyle even');
    await rs.query(`insert into growing.first values (1, 'a'), (2, 'b')`);
    const doc = pipeline('growing', { name: 'growing', source: { schema: 'growing' }, target: { schema: 'growing_copy' } });
    const handle = await env.ferry.client.schedule.create({
      scheduleId: uniqueName('growing'),
      spec: { intervals: [{ every: '365 days' }] },
      action: { type: 'startWorkflow', workflowType: 'pipelineRun', taskQueue: env.ferry.taskQueue, args: [doc], workflowId: uniqueName('pipeline-growing') },
      state: { paused: true },
    });
    const runOnce = async (n: number) => {
      await handle.trigger();
      const run = await waitFor(`scheduled run ${n}`, async () => {
        const actions = (await handle.describe()).info.recentActions;
        return actions.length >= n && actions[n - 1].action.workflow;
      });
      return env.ferry.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result();
    };
    try {
      expect((await runOnce(1)).tables.map((t: { name: string }) => t.name)).toEqual(['growing.first']);
      await rs.query('create table growing.second (id int, at timestamp)');
      await rs.query(`insert into growing.second values (7, '2024-01-01 00:00:00')`);
      const second = await runOnce(2);
      expect(second.tables.map((t: { name: string }) => t.name)).toEqual(['growing.first', 'growing.second']);
      expect((await env.dst.query('SELECT id, at::text FROM growing_copy.second')).rows).toEqual([{ id: 7, at: '2024-01-01 00:00:00' }]);
    } finally {
      await handle.delete();
    }
  });

  it('a schema larger than one history: the pipeline continues as new, discovers once, and every table arrives exact; a failure skips its dependent across the boundary', async () => {
    await rs.query('create schema spread');
    const tables = Array.from({ length: 8 }, (_, i) => `s${i + 1}`);
    for (const [i, t] of tables.entries()) {
      await rs.query(`create table spread.${t} (id int primary key, amount numeric(12,2), note varchar(40), at timestamp)`);
      await rs.query(
        `insert into spread.${t} select g, g * ${i + 1}.25, 'row ' || g || ' of ${t}', '2024-03-01'::timestamp + g * interval '1 hour' from generate_series(1, 40) g`,
      );
    }
    const doc = {
      name: 'spread',
      maxParallelTables: 2,
      historyLimit: { events: 25, bytes: 1024 * 1024 },
      defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', create: 'ifMissing' } },
      tables: [
        { name: 'spread', source: { schema: 'spread' }, target: { schema: 'spread_copy' } },
        { name: 'broken', source: { table: 'spread.no_such_table' }, target: { table: 'spread_copy.broken' } },
        { name: 'after-broken', source: { table: 'spread.s1' }, target: { table: 'spread_copy.after_broken' }, dependsOn: ['broken'] },
      ],
    };
    const handle = await env.ferry.start('pipelineRun', doc, 'pipeline-spread');
    const err = await handle.result().catch((e: unknown) => e);
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: 'PipelineFailed' });
    const outcome = (err as WorkflowFailedError & { cause: { details: [{ tables: { name: string; status: string; rows?: number }[] }] } }).cause.details[0];
    expect(outcome.tables.map((t) => [t.name, t.status, t.rows])).toEqual([
      ['broken', 'failed', undefined],
      ['after-broken', 'skipped', undefined],
      ...tables.map((t) => [`spread.${t}`, 'succeeded', 40]),
    ]);
    for (const t of tables) await expectSameRows(env.src, env.dst, `spread.${t}`, `spread_copy.${t}`);

    // Follow the runs: each but the last continued as new; only the first asked Redshift for the tables.
    const activitiesPerRun: string[][] = [];
    for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
      type Event = {
        activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
        workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null;
      };
      const history: { events?: Event[] | null } = await env.ferry.client.workflow.getHandle(handle.workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      activitiesPerRun.push(events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []));
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    expect(activitiesPerRun.length).toBeGreaterThanOrEqual(3);
    expect(activitiesPerRun.map((names) => names.includes('discoverTables'))).toEqual(activitiesPerRun.map((_, i) => i === 0));
  });

  describe('schema drift', () => {
    const input = (table: string, extra: Record<string, unknown> = {}) => ({
      source: { connection: 'redshift', table: `drift.${table}` },
      target: { connection: 'postgres', table: `drift_copy.${table}`, create: 'ifMissing' },
      ...extra,
    });

    beforeAll(async () => {
      await rs.query('create schema drift');
      for (const t of ['added', 'refused', 'removed', 'retyped']) {
        await rs.query(`create table drift.${t} (id int, v varchar(20))`);
        await rs.query(`insert into drift.${t} values (1, 'one'), (2, 'two')`);
        await env.ferry.execute('tableTransfer', input(t), `drift-${t}`);
      }
    });

    it('a column added in the source arrives with onSchemaChange: addColumns', async () => {
      await rs.query('alter table drift.added add column note super');
      await rs.query(`update drift.added set note = json_parse('{"k":1}') where id = 2`);
      const result = await env.ferry.execute('tableTransfer', input('added', { onSchemaChange: 'addColumns' }), 'drift-added');
      expect(result.columnsAdded).toEqual(['note']);
      expect((await env.dst.query('SELECT id, v, note FROM drift_copy.added ORDER BY id')).rows).toEqual([
        { id: 1, v: 'one', note: null },
        { id: 2, v: 'two', note: { k: 1 } },
      ]);
      expect((await columnsOf(env.dst, 'drift_copy.added')).map((c) => [c.name, c.type, c.notNull])).toEqual([
        ['id', 'integer', false],
        ['v', 'character varying(20)', false],
        ['note', 'jsonb', false],
      ]);
    });

    const unchanged = async (table: string) =>
      expect((await env.dst.query(`SELECT * FROM drift_copy.${table} ORDER BY id`)).rows).toEqual([
        { id: 1, v: 'one' },
        { id: 2, v: 'two' },
      ]);

    it('with onSchemaChange: fail, an added column fails in prepare with the ALTER TABLE that adds it', async () => {
      await rs.query('alter table drift.refused add column amount decimal(10,2)');
      const f = await failureOf(env.ferry.execute('tableTransfer', input('refused'), 'drift-refused'));
      expect(f.type).toBe('ColumnMismatch');
      expect(f.nonRetryable).toBe(true);
      expect(f.message).toBe(
        'target table drift_copy.refused has no column "amount" that source drift.refused returns: add it (ALTER TABLE drift_copy.refused ADD COLUMN "amount" numeric(10,2)), set onSchemaChange: addColumns to let ferry add it, or select fewer columns with source.query',
      );
      await unchanged('refused');
      // The refusal released the lease prepare took: a corrected run is not refused as busy, whatever workflow the refused one ran in.
      const leases = await env.dst.query(`SELECT count(*)::int AS n FROM ferry_staging.ferry_runs WHERE target LIKE '%refused%'`);
      expect(leases.rows[0].n).toBe(0);
    });

    it('a column removed from the source always fails, naming it; ferry never drops it', async () => {
      await rs.query('alter table drift.removed drop column v');
      const f = await failureOf(env.ferry.execute('tableTransfer', input('removed', { onSchemaChange: 'addColumns' }), 'drift-removed'));
      expect(f.type).toBe('ColumnMismatch');
      expect(f.message).toMatch(
        /^source drift\.removed no longer has column "v", which the previous run loaded into drift_copy\.removed; ferry never drops target columns: .*DROP COLUMN "v"/,
      );
      await unchanged('removed');
    });

    it('a column whose type no longer maps fails with the difference', async () => {
      await rs.query('alter table drift.retyped drop column v');
      await rs.query('alter table drift.retyped add column v varbyte(20)');
      const f = await failureOf(env.ferry.execute('tableTransfer', input('retyped'), 'drift-retyped'));
      expect(f.type).toBe('TypeMismatch');
      expect(f.message).toContain('column "v" is VARBYTE(20) in the source and character varying(20) in the target');
      await unchanged('retyped');
    });
  });

  it('duplicate values under a Redshift primary key are refused before publishing, naming the key', async () => {
    await rs.query('create table public.dupes (id int primary key, v varchar(5))');
    await rs.query(`insert into public.dupes values (1, 'a'), (2, 'b'), (2, 'c')`);
    const f = await failureOf(
      env.ferry.execute(
        'tableTransfer',
        { source: { connection: 'redshift', table: 'public.dupes' }, target: { connection: 'postgres', table: 'public.dupes', create: 'ifMissing' } },
        'dupes',
      ),
    );
    expect(f.type).toBe('BadKey');
    expect(f.message).toMatch(
      /^cannot publish into public\.dupes: Key \(id\)=\(2\) is duplicated\. \(constraint "dupes_pkey"\)\. Redshift does not enforce primary keys/,
    );
    // The failed first run leaves the created, empty table; the next run loads it.
    expect((await env.dst.query('SELECT count(*)::int AS n FROM public.dupes')).rows[0].n).toBe(0);
    await rs.query(`delete from public.dupes where v = 'c'`);
    const ok = await env.ferry.execute(
      'tableTransfer',
      { source: { connection: 'redshift', table: 'public.dupes' }, target: { connection: 'postgres', table: 'public.dupes', create: 'ifMissing' } },
      'dupes',
    );
    expect(ok.rows).toBe(2);
    expect(ok.created).toBeUndefined();
  });

  it('concurrent first runs of one new target create it once', async () => {
    await rs.query('create table public.twice (id int, v varchar(5))');
    await rs.query(`insert into public.twice values (1, 'a')`);
    const input = { source: { connection: 'redshift', table: 'public.twice' }, target: { connection: 'postgres', table: 'fresh.twice', create: 'ifMissing' } };
    const outcomes = await Promise.allSettled([env.ferry.execute('tableTransfer', input, 'twice'), env.ferry.execute('tableTransfer', input, 'twice')]);
    // The lease is taken before the target is created: the run that holds it creates the table and
    // publishes; the other is refused as busy or, once the first is done, finds the table.
    const created = outcomes.filter((o) => o.status === 'fulfilled' && o.value.created);
    expect(created.length).toBe(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(((o.reason as WorkflowFailedError).cause as { type?: string }).type).toBe('TargetBusy');
    expect((await env.dst.query('SELECT id, v FROM fresh.twice')).rows).toEqual([{ id: 1, v: 'a' }]);
  });
});
