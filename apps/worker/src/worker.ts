import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '@ferry/activities';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import type { FerryConfig } from '@ferry/config';

export interface FerryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  config: FerryConfig;
  maxConcurrentActivityTaskExecutions?: number;
}

/** The worker: ferry's workflows plus its activities bound to real connections. */
export async function createFerryWorker(options: FerryWorkerOptions): Promise<Worker> {
  const s3 = createS3Client(s3SettingsFromEnv());
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('@ferry/workflows'),
    activities: createActivities({ config: options.config, s3 }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
    // Cancellation reaches an activity only with a heartbeat's answer; the default throttle
    // (80% of the 30 s heartbeat timeout) would let a cancelled UNLOAD run on for 24 s.
    maxHeartbeatThrottleInterval: '3s',
  });
}
