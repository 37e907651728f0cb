import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, temporalConnectError, temporalSettings } from '@ferry/config';
import { encryptionKeyIds, ferryDataConverter } from '@ferry/codec';
import { createLogger, ferryRuntimeOptions, metricsBindAddress } from '@ferry/observability';
import { createFerryWorker } from './worker';

// Wiring only: read the environment, install the Runtime (JSON logs, optional Prometheus
// endpoint), connect, run until SIGINT/SIGTERM (the SDK then stops polling and lets running
// activities finish or be cancelled). docs/observability.md lists the log fields and metrics.
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const level = process.env.FERRY_LOG_LEVEL || 'info';
if (!LEVELS.includes(level)) {
  console.error(`ferry worker: FERRY_LOG_LEVEL=${level} is not a log level: use one of ${LEVELS.join(', ')}`);
  process.exit(1);
}
const logger = createLogger({ level });

async function main() {
  // Every setting is read and checked before connecting: a bad one fails here, naming it.
  const temporal = temporalSettings();
  const { address, namespace, taskQueue } = temporal;
  const dataConverter = ferryDataConverter();
  const keyIds = encryptionKeyIds();
  const metrics = metricsBindAddress(process.env);
  Runtime.install(ferryRuntimeOptions({ logger, metricsBindAddress: metrics }));
  const config = loadConfig();
  const connection = await NativeConnection.connect(temporal.connection).catch((err) => {
    throw temporalConnectError(temporal, err);
  });
  const worker = await createFerryWorker({
    connection,
    namespace,
    taskQueue,
    config,
    dataConverter,
    maxConcurrentActivityTaskExecutions: process.env.FERRY_MAX_ACTIVITIES ? Number(process.env.FERRY_MAX_ACTIVITIES) : undefined,
    workflowBundlePath: process.env.FERRY_WORKFLOW_BUNDLE || undefined,
  });
  logger.info(
    { taskQueue, address, namespace, temporalSettings: temporal.source, encryptionKeys: keyIds ?? null, connections: Object.keys(config.connections), metrics: metrics ? `http://${metrics}/metrics` : null },
    `ferry worker: task queue ${taskQueue} on ${address} (namespace ${namespace}, ${temporal.source}); connections: ${Object.keys(config.connections).join(', ')}` +
      `; payloads ${keyIds ? `encrypted with key ${keyIds[0]} (decrypting ${keyIds.join(', ')})` : 'not encrypted'}` +
      (metrics ? `; metrics on http://${metrics}/metrics` : ''),
  );
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  logger.fatal({ err }, `ferry worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
