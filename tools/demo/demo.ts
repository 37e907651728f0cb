// `npm run demo`: seeds the US ZIP codes into the source through redshift-local, runs the
// tableTransfer workflow on a real worker, and proves source and target are identical.
import { Client as PgClient } from 'pg';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, pgClientConfig } from '@ferry/config';
import type { TableTransferInput, TableTransferResult } from '@ferry/workflows';
import { createFerryWorker } from '../../apps/worker/src/worker';
import { seedZipcodes, ZIPCODE_COLUMNS } from './zipcodes';

const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
const uiPort = process.env.FERRY_TEMPORAL_UI_PORT ?? '8233';
const taskQueue = process.env.FERRY_TASK_QUEUE ?? 'ferry';

const input: TableTransferInput = {
  source: { connection: 'redshift', table: 'public.zipcode_us' },
  target: { connection: 'postgres', table: 'public.zipcode_us' },
  unload: { compression: 'gzip', maxFileSizeMb: 64 },
  load: { maxParallelLoads: 4 },
};

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
  await target.query(`CREATE TABLE IF NOT EXISTS public.zipcode_us (${ZIPCODE_COLUMNS})`);

  const workerConnection = await NativeConnection.connect({ address });
  const worker = await createFerryWorker({ connection: workerConnection, namespace, taskQueue, config });
  const client = new Client({ connection: await Connection.connect({ address }), namespace });

  const workflowId = 'transfer-public.zipcode_us';
  const result = await worker.runUntil(async () => {
    const handle = await client.workflow.start('tableTransfer', { taskQueue, workflowId, args: [input] });
    console.log(`demo: started ${workflowId}; follow it at http://127.0.0.1:${uiPort}/namespaces/${namespace}/workflows/${workflowId}/${handle.firstExecutionRunId}/history`);
    return (await handle.result()) as TableTransferResult;
  });
  console.log('demo: result', JSON.stringify(result, null, 2));

  const [a, b] = await Promise.all([fingerprint(source), fingerprint(target)]);
  await Promise.all([source.end(), target.end(), workerConnection.close(), client.connection.close()]);
  if (a.count !== b.count || a.md5 !== b.md5) {
    console.error(`demo: MISMATCH source ${a.count} rows md5 ${a.md5}, target ${b.count} rows md5 ${b.md5}`);
    process.exit(1);
  }
  console.log(`demo: source and target are identical: ${b.count} rows, md5 ${b.md5}`);
}

async function fingerprint(db: PgClient) {
  const res = await db.query<{ count: string; md5: string }>(
    `SELECT count(*) AS count, md5(string_agg(t::text, E'\\n' ORDER BY zip)) AS md5 FROM public.zipcode_us t`,
  );
  return { count: Number(res.rows[0].count), md5: res.rows[0].md5 };
}

main().catch((err) => {
  console.error('demo failed:', err);
  process.exit(1);
});
