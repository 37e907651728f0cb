import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import type { PipelineInput } from '@ferry/pipeline';
import type { PipelineRunResult } from '@ferry/workflows';
import { fingerprint } from './support/databases';
import { transferFixture } from './support/ferry';
import { waitFor } from './support/wait';

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

  /** When each child ran, from the server's own record of its executions. */
  const timesOf = async (workflowId: string) => {
    const d = await env.ferry.client.workflow.getHandle(workflowId).describe();
    return { start: d.startTime.getTime(), close: d.closeTime!.getTime() };
  };

  it('loads every table, a dependent only after what it depends on, and reports each outcome', async () => {
    const result = await run(
      pipeline([
        { name: 'customers', source: { table: 'public.customers' }, target: { table: 'public.customers' } },
        { name: 'orders', source: { table: 'public.orders' }, target: { table: 'public.orders' }, dependsOn: ['customers'] },
        { name: 'items', source: { table: 'public.items' }, target: { table: 'public.items' }, dependsOn: ['orders'] },
        { source: { table: 'public.regions' }, target: { table: 'public.regions' } },
      ]),
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
        { maxParallelTables: 2 },
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
