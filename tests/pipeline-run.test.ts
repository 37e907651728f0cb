import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import type { PipelineInput } from '@ferry/pipeline';
import type { PipelineRunResult } from '@ferry/workflows';
import { createS3Client, listObjects, s3SettingsFromEnv } from '@ferry/s3';
import { connect, fingerprint } from './support/databases';
import { stack } from './support/env';
import { transferFixture } from './support/ferry';
import { activities } from './support/unload-gate';
import { waitFor } from './support/wait';

const s3 = createS3Client(s3SettingsFromEnv());

describe('pipelineRun on the real stack', () => {
  const env = transferFixture('pipe');

  beforeAll(async () => {
    for (const t of ['customers', 'orders', 'items', 'regions', 'audit']) {
      await env.src.query(`CREATE TABLE ${t} (id int PRIMARY KEY, label text)`);
      await env.src.query(`INSERT INTO ${t} SELECT g, '${t} ' || g FROM generate_series(1, 50) g`);
      await env.dst.query(`CREATE TABLE ${t} (id int PRIMARY KEY, label text)`);
    }
  });

  const pipeline = (tables: PipelineInput['tables'], extra: Partial<PipelineInput> = {}): PipelineInput => ({
    name: 'test',
    defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres' } },
    tables,
    ...extra,
  });
  const run = (input: PipelineInput, id: string) => env.ferry.execute<PipelineRunResult>('pipelineRun', input, id);
  /** Every table in its own workflow, whose start and close the server records. */
  const childWorkflows = { smallTables: { maxRows: 0 } };

  /** When each child ran, from the server's own record of its executions. */
  const timesOf = async (workflowId: string) => {
    const d = await env.ferry.client.workflow.getHandle(workflowId).describe();
    return { start: d.startTime.getTime(), close: d.closeTime!.getTime() };
  };

  it('loads every table, a dependent only after what it depends on, and reports each outcome', async () => {
    const result = await run(
      pipeline(
        [
          { name: 'customers', source: { table: 'public.customers' }, target: { table: 'public.customers' } },
          { name: 'orders', source: { table: 'public.orders' }, target: { table: 'public.orders' }, dependsOn: ['customers'] },
          { name: 'items', source: { table: 'public.items' }, target: { table: 'public.items' }, dependsOn: ['orders'] },
          { source: { table: 'public.regions' }, target: { table: 'public.regions' } },
        ],
        childWorkflows,
      ),
      'pipeline-dag',
    );
    expect(result).toMatchObject({ name: 'test', succeeded: 4, failed: 0, skipped: 0 });
    expect(result.tables.map((t) => [t.name, t.status, t.rows])).toEqual([
      ['customers', 'succeeded', 50],
      ['orders', 'succeeded', 50],
      ['items', 'succeeded', 50],
      ['public.regions', 'succeeded', 50],
    ]);
    for (const t of ['customers', 'orders', 'items', 'regions']) expect(await fingerprint(env.dst, t, 'id')).toEqual(await fingerprint(env.src, t, 'id'));
    const [customers, orders, items] = await Promise.all(result.tables.slice(0, 3).map((t) => timesOf(t.workflowId)));
    expect(orders.start).toBeGreaterThanOrEqual(customers.close);
    expect(items.start).toBeGreaterThanOrEqual(orders.close);
  });

  it('runs at most maxParallelTables tables at once', async () => {
    const names = ['customers', 'orders', 'items', 'regions', 'audit'];
    const result = await run(
      pipeline(
        names.map((n) => ({ source: { table: `public.${n}` }, target: { table: `public.${n}` } })),
        { maxParallelTables: 2, ...childWorkflows },
      ),
      'pipeline-lanes',
    );
    expect(result.succeeded).toBe(5);
    const spans = await Promise.all(result.tables.map((t) => timesOf(t.workflowId)));
    // At no child's start were more than 2 children open (itself included).
    for (const s of spans) expect(spans.filter((o) => o.start <= s.start && o.close > s.start).length).toBeLessThanOrEqual(2);
  });

  it('skips the dependents of a failed table, finishes the others, and fails with every outcome', async () => {
    const err = await run(
      pipeline([
        { name: 'broken', source: { table: 'public.no_such_table' }, target: { table: 'public.customers' } },
        { name: 'after-broken', source: { table: 'public.orders' }, target: { table: 'public.orders' }, dependsOn: ['broken'] },
        { name: 'transitively', source: { table: 'public.items' }, target: { table: 'public.items' }, dependsOn: ['after-broken'] },
        { name: 'independent', source: { table: 'public.audit' }, target: { table: 'public.audit' } },
      ]),
      'pipeline-failure',
    ).catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause.type).toBe('PipelineFailed');
    expect(err.cause.message).toContain('broken (source table public.no_such_table does not exist');
    const outcome = err.cause.details[0] as PipelineRunResult;
    expect(outcome.tables.map((t) => [t.name, t.status, t.reason?.slice(0, 13)])).toEqual([
      ['broken', 'failed', 'source table '],
      ['after-broken', 'skipped', 'broken failed'],
      ['transitively', 'skipped', 'broken failed'],
      ['independent', 'succeeded', undefined],
    ]);
  });

  it('cancelled, it cancels the running tables, waits for their cleanup, and starts no more', async () => {
    await env.dst.query(`CREATE TABLE sleepy (x text)`);
    await env.dst.query(`INSERT INTO sleepy VALUES ('before')`);
    const handle = await env.ferry.start(
      'pipelineRun',
      pipeline([
        { name: 'sleepy', source: { query: 'select pg_sleep(600)::text as x' }, target: { table: 'public.sleepy' } },
        { name: 'later', source: { table: 'public.audit' }, target: { table: 'public.audit' }, dependsOn: ['sleepy'] },
      ]),
      'pipeline-cancel',
    );
    const child = env.ferry.client.workflow.getHandle(`${handle.workflowId}:sleepy`);
    await waitFor('the child to unload', async () => (await child.query<{ phase: string }>('progress').catch(() => undefined))?.phase === 'unloading');
    await handle.cancel();
    const err = await handle.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause).toBeInstanceOf(CancelledFailure);
    expect((await child.describe()).status.name).toBe('CANCELLED');
    expect((await env.dst.query('SELECT x FROM sleepy')).rows).toEqual([{ x: 'before' }]);
    await expect(env.ferry.client.workflow.getHandle(`${handle.workflowId}:later`).describe()).rejects.toThrow(/not found/i);
  });

  it('cancelled while its last table runs, it ends cancelled too', async () => {
    const handle = await env.ferry.start(
      'pipelineRun',
      pipeline([{ name: 'only', source: { query: 'select pg_sleep(600)::text as x' }, target: { table: 'public.sleepy' } }]),
      'pipeline-cancel-last',
    );
    const child = env.ferry.client.workflow.getHandle(`${handle.workflowId}:only`);
    await waitFor('the child to unload', async () => (await child.query<{ phase: string }>('progress').catch(() => undefined))?.phase === 'unloading');
    await handle.cancel();
    expect((await handle.result().catch((e) => e)).cause).toBeInstanceOf(CancelledFailure);
    expect((await child.describe()).status.name).toBe('CANCELLED');
  });

  it('moves a small table in one activity, exactly; a view, an empty table and a table above maxRows get their own workflow', async () => {
    await env.src.query(`CREATE TABLE tiny (id int PRIMARY KEY, label text)`);
    await env.src.query(`INSERT INTO tiny SELECT g, CASE g % 3 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'tiny ' || g END FROM generate_series(1, 30) g`);
    await env.src.query(`CREATE VIEW customers_view AS SELECT * FROM customers`);
    await env.src.query(`CREATE TABLE nothing (id int PRIMARY KEY, label text)`);
    for (const t of ['tiny', 'customers_view', 'nothing']) await env.dst.query(`CREATE TABLE ${t} (id int PRIMARY KEY, label text)`);
    await env.dst.query(`INSERT INTO tiny VALUES (999, 'replaced'); INSERT INTO nothing VALUES (1, 'replaced')`);

    const handle = await env.ferry.start(
      'pipelineRun',
      pipeline(
        ['tiny', 'orders', 'customers_view', 'nothing'].map((t) => ({
          name: t,
          source: { table: `public.${t}` },
          target: { table: `public.${t}`, mode: 'replace' },
        })),
        { smallTables: { maxRows: 40 } },
      ),
      'pipeline-small',
    );
    const result = (await handle.result()) as PipelineRunResult;
    expect(result.tables.map((t) => [t.name, t.status, t.ranAs ?? 'workflow', t.rows])).toEqual([
      ['tiny', 'succeeded', 'activity', 30],
      ['orders', 'succeeded', 'workflow', 50],
      ['customers_view', 'succeeded', 'workflow', 50],
      ['nothing', 'succeeded', 'workflow', 0],
    ]);
    for (const t of ['tiny', 'orders', 'customers_view', 'nothing']) expect(await fingerprint(env.dst, t, 'id')).toEqual(await fingerprint(env.src, t, 'id'));
    // The small table has no workflow of its own: one activity in the pipeline's history moved it, each other was offered first and handed on.
    await expect(env.ferry.client.workflow.getHandle(`${handle.workflowId}:tiny`).describe()).rejects.toThrow(/not found/i);
    const offered = activities((await handle.fetchHistory()).events ?? []).filter((a) => a.type === 'transferSmallTable');
    expect(offered.map((a) => [a.input.prepare.target.table, a.result.handOff ?? a.result.rows])).toEqual([
      ['public.tiny', 30],
      ['public.orders', 'public.orders has about 50 rows, more than smallTables.maxRows (40)'],
      ['public.customers_view', expect.stringMatching(/^SVV_TABLE_INFO has no row estimate for public.customers_view/)],
      ['public.nothing', expect.stringMatching(/^SVV_TABLE_INFO has no row estimate for public.nothing/)],
    ]);
    // It cleaned up after itself: no staging table, lease, ledger or registry rows, no files.
    const leftovers = await env.dst.query(
      `SELECT to_regclass('ferry_staging.public__tiny') AS staging, (SELECT count(*)::int FROM ferry_staging.ferry_runs) AS leases,
              (SELECT count(*)::int FROM ferry_staging.ferry_ledger) AS ledger, (SELECT count(*)::int FROM ferry_staging.ferry_parts) AS parts`,
    );
    expect(leftovers.rows[0]).toEqual({ staging: null, leases: 0, ledger: 0, parts: 0 });
    const files = [];
    for await (const o of listObjects(s3, stack.bucket, 'ferry/public.tiny/')) files.push(o.key);
    expect(files).toEqual([]);
  });

  it('small tables in append mode, two of them at once, each run once: every row exactly once', async () => {
    for (const t of ['small_a', 'small_b']) {
      await env.src.query(`CREATE TABLE ${t} (id int, label text)`);
      await env.src.query(`INSERT INTO ${t} SELECT g, md5(g::text) FROM generate_series(1, 20) g`);
      await env.dst.query(`CREATE TABLE ${t} (id int, label text)`);
    }
    const doc = pipeline(
      ['small_a', 'small_b'].map((t) => ({ source: { table: `public.${t}` }, target: { table: `public.${t}`, mode: 'append' } })),
      { maxParallelTables: 2 },
    );
    const first = await run(doc, 'pipeline-small-append-1');
    expect(first.tables.map((t) => [t.ranAs, t.rows])).toEqual([
      ['activity', 20],
      ['activity', 20],
    ]);
    await run(doc, 'pipeline-small-append-2');
    for (const t of ['small_a', 'small_b']) {
      const counts = await env.dst.query(`SELECT count(*)::int AS rows, count(DISTINCT (id, label))::int AS distinct_rows FROM ${t}`);
      expect(counts.rows[0]).toEqual({ rows: 40, distinct_rows: 20 });
      const source = (await env.src.query(`SELECT id, label FROM ${t} ORDER BY id`)).rows;
      expect((await env.dst.query(`SELECT DISTINCT id, label FROM ${t} ORDER BY id`)).rows).toEqual(source);
    }
  });

  it('cancelled while a small table publishes, the target keeps its rows and nothing is left behind', async () => {
    await env.src.query(`CREATE TABLE held (id int PRIMARY KEY, label text)`);
    await env.src.query(`INSERT INTO held SELECT g, 'new ' || g FROM generate_series(1, 10) g`);
    await env.dst.query(`CREATE TABLE held (id int PRIMARY KEY, label text)`);
    await env.dst.query(`INSERT INTO held VALUES (1, 'before')`);
    // A reader's lock the publish must wait for: the activity is cancelled while it waits.
    const reader = await connect(env.targetDb);
    await reader.query('BEGIN');
    await reader.query('LOCK TABLE held IN SHARE MODE');
    try {
      const handle = await env.ferry.start(
        'pipelineRun',
        pipeline([{ name: 'held', source: { table: 'public.held' }, target: { table: 'public.held', mode: 'replace' } }]),
        'pipeline-small-cancel',
      );
      await waitFor('the publish to wait for the lock', async () => {
        const waiting = await env.dst.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = 'ferry finalize'`,
        );
        return waiting.rowCount! > 0;
      });
      await handle.cancel();
      expect((await handle.result().catch((e) => e)).cause).toBeInstanceOf(CancelledFailure);
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    expect((await env.dst.query('SELECT id, label FROM held')).rows).toEqual([{ id: 1, label: 'before' }]);
    const leftovers = await env.dst.query(
      `SELECT to_regclass('ferry_staging.public__held') AS staging, (SELECT count(*)::int FROM ferry_staging.ferry_runs WHERE target = '"public"."held"') AS leases`,
    );
    expect(leftovers.rows[0]).toEqual({ staging: null, leases: 0 });
    const files = [];
    for await (const o of listObjects(s3, stack.bucket, 'ferry/public.held/')) files.push(o.key);
    expect(files).toEqual([]);
  });

  it("a small table whose target another pipeline is loading fails TargetBusy, naming that pipeline's workflow to wait for or cancel", async () => {
    await env.src.query(`CREATE TABLE contested (id int PRIMARY KEY, label text)`);
    await env.src.query(`INSERT INTO contested SELECT g, 'row ' || g FROM generate_series(1, 10) g`);
    await env.dst.query(`CREATE TABLE contested (id int PRIMARY KEY, label text)`);
    const doc = pipeline([{ name: 'contested', source: { table: 'public.contested' }, target: { table: 'public.contested' } }]);
    // The first pipeline holds the target's lease while its publish waits for a reader's lock.
    const reader = await connect(env.targetDb);
    await reader.query('BEGIN');
    await reader.query('LOCK TABLE contested IN SHARE MODE');
    let first;
    try {
      first = await env.ferry.start('pipelineRun', doc, 'pipeline-small-holder');
      await waitFor('the first publish to wait for the lock', async () => {
        const waiting = await env.dst.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = 'ferry finalize'`,
        );
        return waiting.rowCount! > 0;
      });
      const err = await run(doc, 'pipeline-small-contender').catch((e) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const outcome = err.cause.details[0] as PipelineRunResult;
      expect(outcome.tables.map((t) => [t.name, t.status, t.ranAs])).toEqual([['contested', 'failed', 'activity']]);
      // The lease names the pipeline's workflow (a small table has none of its own): what `temporal workflow cancel` needs.
      expect(outcome.tables[0].reason).toContain(`is being loaded by workflow ${first.workflowId} `);
      expect(outcome.tables[0].reason).toContain(`temporal workflow cancel --workflow-id ${first.workflowId}\``);
    } finally {
      await reader.query('ROLLBACK');
      await reader.end();
    }
    expect(((await first!.result()) as PipelineRunResult).succeeded).toBe(1);
    expect(await fingerprint(env.dst, 'contested', 'id')).toEqual(await fingerprint(env.src, 'contested', 'id'));
  });

  it('refuses input that carries connections or s3, which would land in workflow history', async () => {
    const err = await run(
      { ...pipeline([{ source: { table: 'public.customers' }, target: { table: 'public.customers' } }]), s3: { bucket: 'b' } },
      'pipeline-conns',
    ).catch((e) => e);
    expect(err.cause.type).toBe('InvalidInput');
    expect(err.cause.message).toMatch(/^invalid pipelineRun input: it may not carry connections or s3/);
  });

  it('rejects a dependency cycle before starting anything', async () => {
    const err = await run(
      pipeline([
        { name: 'a', source: { table: 'public.customers' }, target: { table: 'public.customers' }, dependsOn: ['b'] },
        { name: 'b', source: { table: 'public.orders' }, target: { table: 'public.orders' }, dependsOn: ['a'] },
      ]),
      'pipeline-cycle',
    ).catch((e) => e);
    expect(err.cause.type).toBe('InvalidInput');
    expect(err.cause.message).toBe('invalid pipelineRun input: tables[0].dependsOn: dependsOn forms a cycle: a → b → a: remove one of these dependencies');
  });
});
