import { NativeConnection, Worker, type DataConverter, type WorkerDeploymentOptions, type WorkerInterceptors } from '@temporalio/worker';
import { createActivities, loadTaskQueue, SessionPools } from '@ferry/activities';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import { transferActivityInterceptors } from '@ferry/observability';
import type { FerryConfig } from '@ferry/config';
import { failureConverterPath, ferryDataConverter } from '@ferry/codec';
import { workflowBundleFor } from './workflow-bundle';
import type { DeploymentVersion } from './deployment';

export interface FerryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  config: FerryConfig;
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflows kept in memory between their tasks; default WORKFLOW_CACHE. */
  maxCachedWorkflows?: number;
  /** FERRY_WORKFLOW_BUNDLE: the path build-workflow-bundle.ts wrote; without it the workflows are bundled at startup. */
  workflowBundlePath?: string;
  /** Default: ferryDataConverter() (payloads encrypted when FERRY_ENCRYPTION_KEYS is set). */
  dataConverter?: DataConverter;
  /** Worker Versioning: every worker of the process polls as this version, and workflows stay pinned to the version that started them. */
  deployment?: DeploymentVersion;
}

/** The old-space cap main.ts gives the workflow thread's isolate. */
export const WORKFLOW_THREAD_HEAP_MB = 128;
/**
 * Workflows cached at once: the SDK derives its default (≈ 2,300) from the main thread's heap
 * limit, far more than the capped workflow thread holds (≈ 1–1.5 MB each, ≈ 25 MB of bundle).
 * Only running workflows stay cached; beyond 40 at once, the least recent is evicted and
 * replays on its next task.
 */
export const WORKFLOW_CACHE = 40;

/**
 * ferry's workers in one process: the main worker runs workflows and every activity but the
 * part loads; each postgres connection gets a worker of its own for `loadPart`, capped at the
 * connection's `maxConcurrentLoads`, so all runs together never open more COPY sessions on
 * one database than that (per worker process).
 *
 * Logs and metrics go wherever the process's Temporal Runtime sends them: the caller installs
 * it first (apps/worker/src/main.ts: JSON lines and Prometheus; tests and the demo: their own
 * logger). Activities log with the transfer's run, table and part on every line and count
 * rows, bytes and parts loaded (@ferry/observability).
 */
export async function createFerryWorker(options: FerryWorkerOptions) {
  const s3 = createS3Client(s3SettingsFromEnv());
  // The worker's database sessions, shared by its activities; ended once every worker has stopped.
  const sessions = new SessionPools();
  const { loadPart, ...mainActivities } = createActivities({ config: options.config, s3, sessions });
  const interceptors: WorkerInterceptors = { activity: [transferActivityInterceptors()] };
  const dataConverter = options.dataConverter ?? ferryDataConverter();
  // Bundled at startup, the workflows get the data converter's failure converter; a prebuilt
  // bundle must have been built with the same one.
  const messages = dataConverter.failureConverterPath === failureConverterPath('encrypted') ? 'encrypted' : 'plain';
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    dataConverter,
    // Cancellation reaches an activity only with a heartbeat's answer; the default throttle
    // (80% of the 30 s heartbeat timeout) would let a cancelled UNLOAD run on for 24 s.
    maxHeartbeatThrottleInterval: '3s',
    interceptors,
    // The load queues are part of the version too: a pinned run's loads go to its own build.
    ...(options.deployment && { workerDeploymentOptions: pinnedTo(options.deployment) }),
  } as const;
  const main = await Worker.create({
    ...common,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: workflowBundleFor(options.workflowBundlePath, messages) } }
      : { workflowsPath: require.resolve('@ferry/workflows') }),
    // loadPart runs only on the load queues below (the workflow schedules it on plan.target.loadTaskQueue).
    activities: mainActivities,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
    maxCachedWorkflows: options.maxCachedWorkflows ?? WORKFLOW_CACHE,
  });
  const loads = await Promise.all(
    Object.entries(options.config.connections)
      .filter(([, c]) => c.kind === 'postgres')
      .map(([name, c]) =>
        Worker.create({
          ...common,
          taskQueue: loadTaskQueue(options.taskQueue, name),
          activities: { loadPart },
          maxConcurrentActivityTaskExecutions: c.kind === 'postgres' ? c.maxConcurrentLoads : undefined,
        }),
      ),
  );
  const all = [main, ...loads];
  return {
    /** Runs until shutdown() or SIGINT/SIGTERM. */
    run: () =>
      Promise.all(all.map((w) => w.run()))
        .finally(() => sessions.end())
        .then(() => undefined),
    shutdown: () => all.forEach((w) => w.getState() === 'RUNNING' && w.shutdown()),
    /** Runs while `fn` runs, then shuts down. */
    async runUntil<T>(fn: () => Promise<T>): Promise<T> {
      const running = Promise.all(loads.map((w) => w.run()));
      try {
        return await main.runUntil(fn);
      } finally {
        loads.forEach((w) => w.shutdown());
        await running;
        await sessions.end();
      }
    },
  };
}

export type FerryWorker = Awaited<ReturnType<typeof createFerryWorker>>;

function pinnedTo(version: DeploymentVersion): WorkerDeploymentOptions {
  return { useWorkerVersioning: true, version, defaultVersioningBehavior: 'PINNED' };
}
