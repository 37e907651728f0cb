import { WorkflowFailedError } from '@temporalio/client';
import { fingerprint } from './support/databases';
import { transferFixture } from './support/ferry';

describe('incremental transfers on the real stack', () => {
  const env = transferFixture('incr');
  const run = (input: unknown, id: string) => env.ferry.execute('tableTransfer', input, id);
  const transfer = (table: string, target: Record<string, unknown>, column: string) => ({
    source: { connection: 'redshift', table: `public.${table}` },
    target: { connection: 'postgres', table: `public.${table}`, ...target },
    incremental: { column },
  });

  it("append: the first run moves everything, later runs only rows above the target's largest id", async () => {
    await env.src.query(`CREATE TABLE events (id bigint PRIMARY KEY, note text)`);
    await env.dst.query(`CREATE TABLE events (id bigint PRIMARY KEY, note text)`);
    await env.src.query(`INSERT INTO events SELECT g, 'first ' || g FROM generate_series(1, 100) g`);

    const first = await run(transfer('events', { mode: 'append' }, 'id'), 'incr-append');
    expect(first).toMatchObject({ rows: 100, incremental: { column: 'id', after: null } });

    await env.src.query(`INSERT INTO events SELECT g, 'second ' || g FROM generate_series(101, 150) g`);
    const second = await run(transfer('events', { mode: 'append' }, 'id'), 'incr-append');
    expect(second).toMatchObject({ rows: 50, incremental: { column: 'id', after: '100' } });
    expect(await fingerprint(env.dst, 'events', 'id')).toEqual(await fingerprint(env.src, 'events', 'id'));

    // Nothing new: an empty unload, nothing appended.
    const third = await run(transfer('events', { mode: 'append' }, 'id'), 'incr-append');
    expect(third).toMatchObject({ rows: 0, incremental: { after: '150' } });
    expect(await fingerprint(env.dst, 'events', 'id')).toEqual(await fingerprint(env.src, 'events', 'id'));
  });

  it('upsert on updated_at (timestamptz): changed and new rows arrive, and rows at the mark itself are taken again', async () => {
    await env.src.query(`CREATE TABLE accounts (id int PRIMARY KEY, balance numeric(12,2), updated_at timestamptz NOT NULL)`);
    await env.dst.query(`CREATE TABLE accounts (id int PRIMARY KEY, balance numeric(12,2), updated_at timestamptz NOT NULL)`);
    await env.src.query(
      `INSERT INTO accounts SELECT g, g * 10, timestamptz '2026-01-01 00:00:00.123456+00' + g * interval '1 minute' FROM generate_series(1, 80) g`,
    );
    const input = transfer('accounts', { mode: 'upsert', key: ['id'] }, 'updated_at');

    expect(await run(input, 'incr-upsert')).toMatchObject({ rows: 80, incremental: { after: null } });

    // Two rows change, one arrives late with the current mark's own timestamp, ten are new.
    await env.src.query(`UPDATE accounts SET balance = -1, updated_at = timestamptz '2026-02-01 00:00:00+00' WHERE id IN (3, 7)`);
    await env.src.query(`INSERT INTO accounts VALUES (1000, 5, timestamptz '2026-01-01 00:00:00.123456+00' + 80 * interval '1 minute')`);
    await env.src.query(`INSERT INTO accounts SELECT g, g, timestamptz '2026-03-01 00:00:00+00' FROM generate_series(81, 90) g`);
    const second = await run(input, 'incr-upsert');
    expect(second.incremental).toEqual({ column: 'updated_at', after: '2026-01-01 01:20:00.123456+00' });
    expect(second.rows).toBe(1 + 1 + 2 + 10); // the mark's row, the late row, two changed, ten new
    expect(await fingerprint(env.dst, 'accounts', 'id')).toEqual(await fingerprint(env.src, 'accounts', 'id'));
  });

  it('refuses incremental with mode replace, and a column the transfer does not load, before moving anything', async () => {
    await env.src.query(`CREATE TABLE metrics (id int PRIMARY KEY, v int)`);
    await env.dst.query(`CREATE TABLE metrics (id int PRIMARY KEY, v int)`);
    await env.dst.query(`INSERT INTO metrics VALUES (1, 1)`);

    const replace = await run(transfer('metrics', { mode: 'replace' }, 'id'), 'incr-replace').catch((e) => e);
    expect(replace).toBeInstanceOf(WorkflowFailedError);
    expect(replace.cause.type).toBe('InvalidInput');
    expect(replace.cause.message).toContain(
      'target.mode: an incremental transfer adds rows above the target\'s high-water mark: use mode "append" or "upsert", not "replace"',
    );

    const unknown = await run(transfer('metrics', { mode: 'append' }, 'updated_at'), 'incr-unknown').catch((e) => e);
    expect(unknown.cause.type).toBe('InvalidInput');
    expect(unknown.cause.message).toBe(
      'incremental.column "updated_at" is not among the columns loaded into public.metrics (id, v): name a column the source returns',
    );
    expect((await env.dst.query('SELECT id, v FROM metrics')).rows).toEqual([{ id: 1, v: 1 }]);
  });
});
