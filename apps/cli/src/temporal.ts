import { Client, Connection } from '@temporalio/client';
import type { TemporalSettings } from '@ferry/config';

/** Where the CLI finds Temporal and ferry's worker: flags, else the env vars the worker reads (temporalSettings). */
export type TemporalOptions = TemporalSettings;

/** Runs `fn` with a connected client and closes the connection afterwards. */
export async function withTemporal<T>(options: TemporalOptions, fn: (client: Client) => Promise<T>): Promise<T> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: options.address, connectTimeout: '5s' });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${options.address}: ${(err as Error).message}. Start it (npm run stack:up) or pass --address / set TEMPORAL_ADDRESS`);
  }
  try {
    return await fn(new Client({ connection, namespace: options.namespace }));
  } finally {
    await connection.close();
  }
}

export function uiLink(options: TemporalOptions, workflowId: string, env: NodeJS.ProcessEnv = process.env): string {
  const ui = env.FERRY_TEMPORAL_UI_URL ?? `http://127.0.0.1:${env.FERRY_TEMPORAL_UI_PORT ?? '8233'}`;
  return `${ui}/namespaces/${encodeURIComponent(options.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
