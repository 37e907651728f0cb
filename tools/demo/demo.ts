// `npm run demo`: seeds the US ZIP codes into the source through redshift-local, moves the
// table twice on a real worker, once per load method (`copy` streams through the worker,
// `aws_s3` is the RDS server-side import), and proves both targets equal the source.
import { Client as PgClient } from 'pg';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, pgClientConfig, temporalSettings } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';
import type { TableTransferInput, TableTransferResult } from '@ferry/workflows';
import { createFerryWorker } from '@ferry/worker';
import { seedZipcodes, ZIPCODE_COLUMNS } from './zipcodes';

const temporal = temporalSettings();
const { namespace, taskQueue } = temporal;
const uiPort = process.env.FERRY_TEMPORAL_UI_PORT ?? '8233';

const runs = [
  { method: 'copy', table: 'public.zipcode_us' },
  { method: 'aws_s3', table: 'public.zipcode_us_aws_s3' },
] as const;

function transferInput(run: (typeof runs)[number]): TableTransferInput {
  return {
    source: { connection: 'redshift', table: 'public.zipcode_us' },
    target: { connection: 'postgres', table: run.table },
    unload: { compression: 'gzip', maxFileSizeMb: 64 },
    load: { maxParallelLoads: 4, method: run.method },
  };
}

async function main() {
  // The demo prints its own story; the worker's logs would drown it (`npm run worker` shows them).
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const source = new PgClient(pgClientConfig(config.connections.redshift, 'ferry demo'));
  const target = new PgClient(pgClientConfig(config.connections.postgres, 'ferry demo'));
  await source.connect();
  await target.connect();

  const seeded = await seedZipcodes(source);
  console.log(`demo: seeded ${seeded} rows into public.zipcode_us through redshift-local`);
  for (const run of runs) await target.query(`CREATE TABLE IF NOT EXISTS ${run.table} (${ZIPCODE_COLUMNS})`);

  const workerConnection = await NativeConnection.connect(temporal.connection);
  const worker = await createFerryWorker({ connection: workerConnection, namespace, taskQueue, config });
  const client = new Client({ connection: await Connection.connect(temporal.connection), namespace, dataConverter: ferryDataConverter() });

  // The two runs have different targets, so they may run at once (one run per target).
  const results = await worker.runUntil(() =>
    Promise.all(
      runs.map(async (run) => {
        const workflowId = `transfer-${run.table}`;
        const handle = await client.workflow.start('tableTransfer', { taskQueue, workflowId, args: [transferInput(run)] });
        console.log(
          `demo: started ${workflowId} (load method ${run.method}); follow it at http://127.0.0.1:${uiPort}/namespaces/${namespace}/workflows/${workflowId}/${handle.firstExecutionRunId}/history`,
        );
        return (await handle.result()) as TableTransferResult;
      }),
    ),
  );
  results.forEach((result, i) => console.log(`demo: result with ${runs[i].method}`, JSON.stringify(result, null, 2)));

  const expected = await fingerprint(source, 'public.zipcode_us');
  let identical = true;
  for (const run of runs) {
    const got = await fingerprint(target, run.table);
    const same = got.count === expected.count && got.md5 === expected.md5;
    identical &&= same;
    console.log(
      `demo: ${run.table} (${run.method}): ${got.count} rows, md5 ${got.md5} ${same ? '= source' : `≠ source (${expected.count} rows, md5 ${expected.md5})`}`,
    );
  }
  await Promise.all([source.end(), target.end(), workerConnection.close(), client.connection.close()]);
  if (!identical) {
    console.error('demo: MISMATCH between source and a target');
    process.exit(1);
  }
  console.log(`demo: source and both targets are identical: ${expected.count} rows, md5 ${expected.md5}`);
}

async function fingerprint(db: PgClient, table: string) {
  const res = await db.query<{ count: string; md5: string }>(`SELECT count(*) AS count, md5(string_agg(t::text, E'\\n' ORDER BY zip)) AS md5 FROM ${table} t`);
  return { count: Number(res.rows[0].count), md5: res.rows[0].md5 };
}

main().catch((err) => {
  console.error('demo failed:', err);
  process.exit(1);
});
