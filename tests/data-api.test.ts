import { DescribeStatementCommand, ExecuteStatementCommand, RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities, SessionPools } from '@ferry/activities';
import { unloadStatementName } from '@ferry/redshift';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import type { Client } from 'pg';
import type { PipelineRunResult } from '@ferry/workflows';
import { canonicalRows } from '../tools/demo/canonical';
import { connect, fingerprint, uniqueName } from './support/databases';
import { stack } from './support/env';
import { testConfig, transferFixture } from './support/ferry';
import { MATRIX, ROWS } from './support/type-matrix';
import { activities } from './support/unload-gate';
import { waitFor } from './support/wait';

// ferry reaching the source through the Redshift Data API (connection `redshift-data`:
// transport data-api, redshift-local's endpoint), beside the same database over the wire
// protocol (`redshift`): same columns, same values, the UNLOAD recorded once.
describe('the Data API transport', () => {
  const env = transferFixture('dataapi', { targetPostgis: true });
  let rs: Client;
  const run = <R = any>(input: unknown, id: string) => env.ferry.execute<R>('tableTransfer', input, id); // eslint-disable-line @typescript-eslint/no-explicit-any
  const unloads = async (like: string) =>
    (
      await rs.query<{ status: string; rows: number }>(
        `SELECT status, unloaded_rows::int AS rows FROM sys_unload_history WHERE unloaded_location LIKE $1 ORDER BY query_id`,
        [like],
      )
    ).rows;

  beforeAll(async () => {
    rs = await connect(env.sourceDb, stack.redshift.port);
    rs.on('error', () => undefined);
    const columns = MATRIX.map(([name, type]) => `${name} ${type}`).join(', ');
    await rs.query(`CREATE TABLE fidelity (id INTEGER NOT NULL, ${columns}, PRIMARY KEY (id))`);
    for (let i = 0; i < ROWS; i++) await rs.query(`INSERT INTO fidelity VALUES (${i}, ${MATRIX.map(([, , , v]) => v[i] ?? 'NULL').join(', ')})`);
    await rs.query(`INSERT INTO fidelity (id) VALUES (${ROWS})`);
  });
  afterAll(async () => rs?.end());

  const columnsOf = async (schema: string) =>
    (
      await env.dst.query<{ column_name: string; type: string; not_null: boolean }>(
        `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
           FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [`${schema}.fidelity`],
      )
    ).rows;

  it('moves every Redshift type exactly, into a target it creates with the same columns as over the wire, checksum-gated', async () => {
    const through = async (connection: string, schema: string) => {
      const handle = await env.ferry.start(
        'tableTransfer',
        { source: { connection, table: 'public.fidelity' }, target: { connection: 'postgres', table: `${schema}.fidelity`, create: 'ifMissing' } },
        `fidelity-${schema}`,
      );
      const result = (await handle.result()) as { rows: number; created?: unknown };
      return { ...result, steps: activities((await handle.fetchHistory()).events!) };
    };
    const wire = await through('redshift', 'by_wire');
    const api = await through('redshift-data', 'by_api');
    expect(api.rows).toBe(ROWS + 1);
    expect(api.created).toBeDefined();
    expect(wire.created).toBeDefined();
    // The column types come from the Data API's ColumnMetadata: the same target as the wire's RowDescription gives.
    expect(await columnsOf('by_api')).toEqual(await columnsOf('by_wire'));
    const targetColumns: [string, string][] = [['id', 'integer'], ...MATRIX.map(([name, , target]) => [name, target] as [string, string])];
    const sourceRows = await canonicalRows(env.src, 'fidelity', targetColumns, 'id');
    const targetRows = await canonicalRows(env.dst, 'by_api.fidelity', targetColumns, 'id');
    for (const [i, row] of sourceRows.entries()) expect(targetRows[i]).toEqual(row);
    expect(targetRows).toHaveLength(sourceRows.length);
    // One UNLOAD through the Data API, finished, with every row; the checksum gate was on (the default).
    expect(await unloads('%by_api.fidelity%')).toEqual([{ status: 'completed', rows: ROWS + 1 }]);
    expect(api.steps.find((a) => a.type === 'unload')!.input.verify).toMatchObject({ mode: 'checksum', carried: 'ferry_row_hash' });
  });

  it('verifies a target against its source through the Data API (the checksum queries on the source), and finds a changed value', async () => {
    const verify = () =>
      env.ferry.execute<{ equal: boolean; changed: { key: Record<string, string> }[] }>(
        'tableVerify',
        { source: { connection: 'redshift-data', table: 'public.fidelity' }, target: { connection: 'postgres', table: 'by_api.fidelity' } },
        'dataapi-verify',
      );
    expect(await verify()).toMatchObject({ equal: true });
    await env.dst.query(`UPDATE by_api.fidelity SET i4 = 7 WHERE id = 1`);
    expect(await verify()).toMatchObject({ equal: false, changed: [{ key: { id: '1' } }] });
  });

  it('expands a discovery pipeline through the Data API and moves each table', async () => {
    await rs.query('CREATE SCHEMA shop');
    for (const t of ['customers', 'orders']) {
      await rs.query(`CREATE TABLE shop.${t} (id int PRIMARY KEY, label varchar(40))`);
      await rs.query(`INSERT INTO shop.${t} SELECT g, '${t} ' || g FROM generate_series(1, 120) g`);
    }
    const result = await env.ferry.execute<PipelineRunResult>(
      'pipelineRun',
      {
        name: 'data-api',
        defaults: { source: { connection: 'redshift-data' }, target: { connection: 'postgres', create: 'ifMissing' } },
        tables: [{ name: 'shop', source: { schema: 'shop' }, target: { schema: 'shop' } }],
      },
      'dataapi-pipeline',
    );
    expect(result).toMatchObject({ succeeded: 2, failed: 0 });
    expect(result.tables.map((t) => t.name).sort()).toEqual(['shop.customers', 'shop.orders']);
    for (const t of ['customers', 'orders']) expect(await fingerprint(env.dst, `shop.${t}`, 'id')).toEqual(await fingerprint(env.src, `shop.${t}`, 'id'));
  });

  it('refuses mode sync over the Data API before anything runs, naming the fix', async () => {
    await env.dst.query('CREATE TABLE public.synced (id integer PRIMARY KEY)');
    await rs.query('CREATE TABLE synced (id integer PRIMARY KEY)');
    const err = await run(
      { source: { connection: 'redshift-data', table: 'synced' }, target: { connection: 'postgres', table: 'synced', mode: 'sync' } },
      'dataapi-sync',
    ).then(
      () => undefined,
      (e: unknown) => e as WorkflowFailedError,
    );
    expect(err?.cause?.message).toMatch(/Data API.*transport wire/);
    expect(await unloads('%synced%')).toEqual([]);
  });

  it('cancelling the transfer cancels the UNLOAD statement on the warehouse', async () => {
    await env.dst.query('CREATE TABLE sleepy (x text)');
    const handle = await env.ferry.start(
      'tableTransfer',
      { source: { connection: 'redshift-data', query: 'select pg_sleep(600)::text as x' }, target: { connection: 'postgres', table: 'sleepy' } },
      'dataapi-cancel',
    );
    await waitFor('the UNLOAD to run', async () => (await unloads('%sleepy%')).some((u) => u.status === 'running'));
    await handle.cancel();
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(await unloads('%sleepy%')).toEqual([{ status: 'aborted', rows: null }]);
    // Stopped, not left running in the warehouse (an idle Data API session may stay open for its keep-alive).
    const running = await rs.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()`,
    );
    expect(running.rows[0].n).toBe(0);
  });

  it("a run's cleanup cancels a Data API UNLOAD the run left running (a stopped worker's, whose next attempt never came)", async () => {
    const config = testConfig(env.sourceDb, env.targetDb);
    const sessions = new SessionPools();
    const activities = createActivities({ config, s3: createS3Client(s3SettingsFromEnv()), sessions });
    const call = <I, O>(fn: (input: I) => Promise<O>, input: I) =>
      new MockActivityEnvironment({}, { logger: new DefaultLogger('WARN') }).run(fn, input) as Promise<O>;
    await rs.query('CREATE TABLE leftover (id int)');
    const plan = await call(activities.prepare, {
      workflowId: uniqueName('dataapi-leftover'),
      runId: uniqueName('run'),
      source: { connection: 'redshift-data', table: 'leftover' },
      target: { connection: 'postgres', table: 'public.leftover', mode: 'replace', create: 'ifMissing' },
      unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
      s3: {},
    } as Parameters<typeof activities.prepare>[0]);
    const api = new RedshiftDataClient({ endpoint: process.env.FERRY_REDSHIFT_DATA_ENDPOINT, region: 'us-east-1' });
    try {
      const left = await api.send(
        new ExecuteStatementCommand({
          ClusterIdentifier: 'redshift-local',
          Database: env.sourceDb,
          Sql: 'SELECT pg_sleep(600)',
          StatementName: unloadStatementName(plan.runId, 1),
        }),
      );
      await waitFor('the statement to run', async () => (await api.send(new DescribeStatementCommand({ Id: left.Id }))).Status === 'STARTED');
      // Another run's statement, whose name only starts like this one's: left alone.
      const other = await api.send(
        new ExecuteStatementCommand({
          ClusterIdentifier: 'redshift-local',
          Database: env.sourceDb,
          Sql: 'SELECT 1',
          StatementName: `${unloadStatementName(`${plan.runId}0`, 1)}`,
        }),
      );
      await call(activities.cleanup, plan);
      expect((await api.send(new DescribeStatementCommand({ Id: left.Id }))).Status).toBe('ABORTED');
      expect((await api.send(new DescribeStatementCommand({ Id: other.Id }))).Status).not.toBe('ABORTED');
      const running = await rs.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()`,
      );
      expect(running.rows[0].n).toBe(0);
    } finally {
      api.destroy();
      await sessions.end();
    }
  });
});
