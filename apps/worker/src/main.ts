import { setFlagsFromString } from 'node:v8';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig, temporalConnectError, temporalSettings } from '@ferry/config';
import { encryptionKeyIds, ferryDataConverter } from '@ferry/codec';
import { createLogger, ferryRuntimeOptions, metricsBindAddress } from '@ferry/observability';
import { createFerryWorker, WORKFLOW_THREAD_HEAP_MB } from './worker';
import { deploymentVersion } from './deployment';

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

// V8 sizes the workflow thread's heap for speed: 16 MB semi-spaces, and old-space garbage
// up to 4 × what is live before a full GC (its garbage is mostly the workflow modules every
// workflow evaluates again). Flags set here apply to isolates created later, so only to the
// workflow thread that createFerryWorker starts: ≈ 120 MB less at the peak of a 200-table
// pipeline, for no measurable CPU (docs/benchmarks.md, "Per-table overhead"). Its old space
// is capped, so the workflow cache is capped to match (WORKFLOW_CACHE in worker.ts).
// FERRY_V8_FLAGS replaces these flags (empty: V8's defaults, then set FERRY_WORKFLOW_CACHE too).
setFlagsFromString(process.env.FERRY_V8_FLAGS ?? `--max-semi-space-size=2 --max-old-space-size=${WORKFLOW_THREAD_HEAP_MB}`);

async function main() {
  // Every setting is read and checked before connecting: a bad one fails here, naming it.
  const temporal = temporalSettings();
  const { address, namespace, taskQueue } = temporal;
  const dataConverter = ferryDataConverter();
  const keyIds = encryptionKeyIds();
  const metrics = metricsBindAddress(process.env);
  const deployment = deploymentVersion(process.env, taskQueue);
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
    maxCachedWorkflows: process.env.FERRY_WORKFLOW_CACHE ? Number(process.env.FERRY_WORKFLOW_CACHE) : undefined,
    deployment,
  });
  logger.info(
    {
      taskQueue,
      address,
      namespace,
      temporalSettings: temporal.source,
      encryptionKeys: keyIds ?? null,
      connections: Object.keys(config.connections),
      metrics: metrics ? `http://${metrics}/metrics` : null,
      deployment: deployment ?? null,
    },
    `ferry worker: task queue ${taskQueue} on ${address} (namespace ${namespace}, ${temporal.source}); connections: ${Object.keys(config.connections).join(', ')}` +
      `; payloads ${keyIds ? `encrypted with key ${keyIds[0]} (decrypting ${keyIds.join(', ')})` : 'not encrypted'}` +
      (metrics ? `; metrics on http://${metrics}/metrics` : '') +
      (deployment ? `; versioned: deployment ${deployment.deploymentName}, build ${deployment.buildId} (runs pinned)` : '; unversioned'),
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
