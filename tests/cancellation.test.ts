import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { Client as PgClient } from 'pg';
import { connect, createDatabase } from './support/databases';
import { startFerry, testConfig, type FerryHarness } from './support/ferry';
import { waitFor } from './support/wait';

// Cancelling a transfer must stop the work on the databases, not just in Temporal:
// both checked through pg_stat_activity.
describe('cancelling a transfer', () => {
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let src: PgClient;
  let dst: PgClient;
  let admin: PgClient;
  let ferry: FerryHarness;

  beforeAll(async () => {
    source = await createDatabase('ferry_cancel_src');
    target = await createDatabase('ferry_cancel_dst');
    src = await connect(source.name);
    dst = await connect(target.name);
    admin = await connect('postgres');
    ferry = await startFerry(testConfig(source.name, target.name));
  });

  afterAll(async () => {
    await ferry?.stop();
    await Promise.all([src?.end(), dst?.end(), admin?.end()]);
    await source?.drop();
    await target?.drop();
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
    await dst.query(`CREATE TABLE sleepy (x text)`);
    await dst.query(`INSERT INTO sleepy VALUES ('before')`);
    const handle = await ferry.client.workflow.start('tableTransfer', {
      taskQueue: ferry.taskQueue,
      workflowId: `cancel-unload-${Date.now()}`,
      args: [{ source: { connection: 'redshift', query: 'select pg_sleep(600)::text as x' }, target: { connection: 'postgres', table: 'sleepy' } }],
    });
    await waitFor('the UNLOAD to run on the source', async () => (await activeQueries(source.name, 'COPY%pg_sleep(600)%')).length > 0);

    await handle.cancel();
    await expectCancelled(handle.result());

    expect(await activeQueries(source.name, '%pg_sleep(600)%')).toEqual([]);
    expect((await dst.query('SELECT x FROM sleepy')).rows).toEqual([{ x: 'before' }]);
  });

  it('cancels the COPY running on the target and cleans up', async () => {
    await src.query(`CREATE TABLE slow AS SELECT g AS id FROM generate_series(1, 5000) g`);
    // Each row's default sleeps, so the COPY into staging runs for minutes.
    await dst.query(`CREATE FUNCTION slow_one() RETURNS int LANGUAGE sql AS 'SELECT 1 FROM pg_sleep(0.05)'`);
    await dst.query(`CREATE TABLE slow (id int, pad int DEFAULT slow_one())`);
    const handle = await ferry.client.workflow.start('tableTransfer', {
      taskQueue: ferry.taskQueue,
      workflowId: `cancel-copy-${Date.now()}`,
      args: [{ source: { connection: 'redshift', table: 'slow' }, target: { connection: 'postgres', table: 'slow' } }],
    });
    await waitFor('a COPY to run on the target', async () => (await activeQueries(target.name, 'COPY "ferry_staging"%')).length > 0);

    await handle.cancel();
    await expectCancelled(handle.result());

    expect(await activeQueries(target.name, 'COPY%')).toEqual([]);
    expect((await dst.query('SELECT count(*)::int AS n FROM slow')).rows[0].n).toBe(0);
    expect((await dst.query(`SELECT to_regclass('ferry_staging.public__slow') AS staging`)).rows[0].staging).toBeNull();
  });
});
