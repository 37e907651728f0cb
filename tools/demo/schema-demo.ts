// `npm run demo:schema`: builds AWS's TICKIT sample schema (the Getting Started Guide's DDL,
// DISTKEY/SORTKEY included) plus a table of Redshift-only types through redshift-local,
// generates its rows, migrates the whole schema by discovery into an empty target schema
// (targets created from the catalog), and prints each table's count and checksum beside the
// source's.
import { Client as PgClient } from 'pg';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, pgClientConfig, temporalSettings } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';
import type { PipelineInput } from '@ferry/pipeline';
import type { PipelineRunResult } from '@ferry/workflows';
import { createFerryWorker } from '@ferry/worker';
import { canonicalChecksum, columnsOf } from './canonical';
import { seedTickit, tickitDdl } from './tickit';

const SALES = 100_000;
const TARGET_DB = process.env.FERRY_TICKIT_DB ?? 'ferry_tickit';
const temporal = temporalSettings();
const { namespace, taskQueue } = temporal;
const uiPort = process.env.FERRY_TEMPORAL_UI_PORT ?? '8233';

const pipeline: PipelineInput = {
  name: 'tickit',
  defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', create: 'ifMissing', indexes: 'sortKey' } },
  tables: [{ name: 'tickit', source: { schema: 'tickit' }, target: { schema: 'tickit' } }],
};

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  // Its own target database, with PostGIS for the GEOMETRY column (as a user's RDS would have it).
  config.connections.postgres = { ...config.connections.postgres, database: TARGET_DB } as typeof config.connections.postgres;
  const admin = new PgClient({ ...pgClientConfig(config.connections.postgres, 'ferry demo'), database: 'postgres' });
  await admin.connect();
  if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [TARGET_DB])).rowCount === 0) await admin.query(`CREATE DATABASE "${TARGET_DB}"`);
  await admin.end();

  const source = new PgClient(pgClientConfig(config.connections.redshift, 'ferry demo'));
  const target = new PgClient(pgClientConfig(config.connections.postgres, 'ferry demo'));
  await source.connect();
  await target.connect();
  await target.query('CREATE EXTENSION IF NOT EXISTS postgis');
  await target.query('DROP SCHEMA IF EXISTS tickit CASCADE');

  await source.query('DROP SCHEMA IF EXISTS tickit CASCADE');
  await source.query('CREATE SCHEMA tickit');
  for (const statement of tickitDdl('tickit')) await source.query(statement);
  await seedTickit(source, 'tickit', SALES);
  console.log(`demo: built schema tickit through redshift-local (Redshift DDL) with ${SALES.toLocaleString('en-US')} sales`);

  const workerConnection = await NativeConnection.connect(temporal.connection);
  const worker = await createFerryWorker({ connection: workerConnection, namespace, taskQueue, config });
  const client = new Client({ connection: await Connection.connect(temporal.connection), namespace, dataConverter: ferryDataConverter() });
  const workflowId = 'pipeline-tickit';
  const result = await worker.runUntil(async () => {
    const handle = await client.workflow.start('pipelineRun', { taskQueue, workflowId, args: [pipeline], workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
    console.log(
      `demo: started ${workflowId}; follow it at http://127.0.0.1:${uiPort}/namespaces/${namespace}/workflows/${workflowId}/${handle.firstExecutionRunId}/history`,
    );
    return (await handle.result()) as PipelineRunResult;
  });

  let identical = true;
  console.log(`\ndemo: ${result.succeeded} tables migrated into ${TARGET_DB} schema tickit in ${(result.durationMs / 1000).toFixed(1)} s`);
  console.log(`${'table'.padEnd(16)} ${'source rows'.padStart(11)} ${'target rows'.padStart(11)}  checksum (md5 of every value)`);
  for (const t of [...result.tables].sort((a, b) => a.name.localeCompare(b.name))) {
    const table = t.name; // <entry>.<table>, and the entry is named after the schema
    const columns = (await columnsOf(target, table)).map((c) => [c.name, c.type] as [string, string]);
    const [a, b] = [await canonicalChecksum(source, table, columns), await canonicalChecksum(target, table, columns)];
    const same = a.rows === b.rows && a.md5 === b.md5;
    identical &&= same;
    console.log(`${table.padEnd(16)} ${String(a.rows).padStart(11)} ${String(b.rows).padStart(11)}  ${b.md5} ${same ? '= source' : `≠ source ${a.md5}`}`);
  }
  const ddl = await target.query(`SELECT pg_get_constraintdef(oid) AS pk FROM pg_constraint WHERE conrelid = 'tickit.clicks'::regclass AND contype = 'p'`);
  console.log(
    `\ndemo: tickit.clicks was created with ${ddl.rows[0]?.pk}, an identity column, jsonb/bytea/geometry columns and an index on its sort key; run \`npx ferry ddl\` on a pipeline file to see such DDL before a run`,
  );
  await Promise.all([source.end(), target.end(), workerConnection.close(), client.connection.close()]);
  if (!identical || result.failed > 0) {
    console.error('demo: MISMATCH between source and target');
    process.exit(1);
  }
  console.log('demo: every table of the target is identical to the source, value by value');
}

main().catch((err) => {
  console.error('demo failed:', err);
  process.exit(1);
});
