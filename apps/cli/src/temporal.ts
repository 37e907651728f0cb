import { Client, Connection } from '@temporalio/client';
import { temporalConnectError, temporalSettings, type TemporalSettings } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';

/**
 * The CLI's Temporal flags. Each overrides its TEMPORAL_* variable, which overrides the
 * profile (temporalSettings): the precedence of the `temporal` CLI.
 */
export interface TemporalOptions {
  address?: string;
  namespace?: string;
  profile?: string;
  taskQueue?: string;
}

/** The settings the flags and the environment give; read on use, so `ferry validate` needs none. */
export function resolveTemporal(options: TemporalOptions, env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const overrides = {
    TEMPORAL_ADDRESS: options.address,
    TEMPORAL_NAMESPACE: options.namespace,
    TEMPORAL_PROFILE: options.profile,
    FERRY_TASK_QUEUE: options.taskQueue,
  };
  const set = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return temporalSettings({ ...env, ...set });
}

/** Runs `fn` with a connected client and closes the connection afterwards. */
export async function withTemporal<T>(options: TemporalOptions, fn: (client: Client, settings: TemporalSettings) => Promise<T>): Promise<T> {
  const settings = resolveTemporal(options);
  // The worker's codec: the CLI reads and writes the same (encrypted) payloads.
  const dataConverter = ferryDataConverter();
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...settings.connection, connectTimeout: '5s' });
  } catch (err) {
    throw temporalConnectError(settings, err);
  }
  try {
    return await fn(new Client({ connection, namespace: settings.namespace, dataConverter }), settings);
  } finally {
    await connection.close();
  }
}

export function uiLink(settings: TemporalSettings, workflowId: string, env: NodeJS.ProcessEnv = process.env): string {
  const ui = env.FERRY_TEMPORAL_UI_URL ?? `http://127.0.0.1:${env.FERRY_TEMPORAL_UI_PORT ?? '8233'}`;
  return `${ui}/namespaces/${encodeURIComponent(settings.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
