import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '@ferry/config';
import { createFerryWorker } from './worker';

// Wiring only: read the environment, connect, run until SIGINT/SIGTERM (the SDK then
// stops polling and lets running activities finish or be cancelled).
async function main() {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = process.env.FERRY_TASK_QUEUE ?? 'ferry';
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address });
  const worker = await createFerryWorker({
    connection,
    namespace,
    taskQueue,
    config,
    maxConcurrentActivityTaskExecutions: process.env.FERRY_MAX_ACTIVITIES ? Number(process.env.FERRY_MAX_ACTIVITIES) : undefined,
  });
  console.log(`ferry worker: task queue ${taskQueue} on ${address} (namespace ${namespace}); connections: ${Object.keys(config.connections).join(', ')}`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(`ferry worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
