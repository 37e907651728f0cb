/** Where ferry's processes (worker, CLI, demo, bench) find Temporal: the same env vars everywhere. */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** The worker's main task queue. */
  taskQueue: string;
}

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  return {
    address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.FERRY_TASK_QUEUE ?? 'ferry',
  };
}
