import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { Client as PgClient } from 'pg';
import { connect } from './support/databases';
import { transferFixture } from './support/ferry';
import { waitFor } from './support/wait';

// Cancelling a transfer must stop the work on the databases, not just in Temporal:
// both checked through pg_stat_activity.
describe('cancelling a transfer', () => {
  const env = transferFixture('cancel');
  let admin: PgClient;

  beforeAll(async () => {
    admin = await connect('postgres');
  });
  afterAll(async () => {
    await admin?.end();
  });

  const activeQueries = async (database: string, like: string) =>
    (
      await admin.query<{ pid: number; query: string }>(
        `SELECT pid, query FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2 AND pid <> pg_backend_pid()`,
        [database, like],
      )
    ).rows;

  const expectCancelled = async (result: Promise<unknown>) => {
    const err = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  };

  it('cancels the UNLOAD running on the source', async () => {
    await env.dst.query(`CREATE TABLE sleepy (x text)`);
    await env.dst.query(`INSERT INTO sleepy VALUES ('before')`);
    const handle = await env.ferry.start(
      'tableTransfer',
      { source: { connection: 'redshift', query: 'select pg_sleep(600)::text as x' }, target: { connection: 'postgres', table: 'sleepy' } },
      'cancel-unload',
    );
    await waitFor('the UNLOAD to run on the source', async () => (await activeQueries(env.sourceDb, 'COPY%pg_sleep(600)%')).length > 0);

    await handle.cancel();
    await expectCancelled(handle.result());

    expect(await activeQueries(env.sourceDb, '%pg_sleep(600)%')).toEqual([]);
    expect((await env.dst.query('SELECT x FROM sleepy')).rows).toEqual([{ x: 'before' }]);
  });

  it('cancels the COPY running on the target and cleans up', async () => {
    await env.src.query(`CREATE TABLE slow AS SELECT g AS id FROM generate_series(1, 5000) g`);
    // Each row's default sleeps, so the COPY into staging runs for minutes.
    await env.dst.query(`CREATE FUNCTION slow_one() RETURNS int LANGUAGE sql AS 'SELECT 1 FROM pg_sleep(0.05)'`);
    await env.dst.query(`CREATE TABLE slow (id int, pad int DEFAULT slow_one())`);
    const handle = await env.ferry.start(
      'tableTransfer',
      { source: { connection: 'redshift', table: 'slow' }, target: { connection: 'postgres', table: 'slow' } },
      'cancel-copy',
    );
    await waitFor('a COPY to run on the target', async () => (await activeQueries(env.targetDb, 'COPY "ferry_staging"%')).length > 0);

    await handle.cancel();
    await expectCancelled(handle.result());

    expect(await activeQueries(env.targetDb, 'COPY%')).toEqual([]);
    expect((await env.dst.query('SELECT count(*)::int AS n FROM slow')).rows[0].n).toBe(0);
    expect((await env.dst.query(`SELECT to_regclass('ferry_staging.public__slow') AS staging`)).rows[0].staging).toBeNull();
  });
});
