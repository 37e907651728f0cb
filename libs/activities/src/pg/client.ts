import type { Client } from 'pg';
import type { Named } from '@ferry/config';
import { sendCancelRequest } from './cancel';
import { openClient } from './open-client';

/**
 * Runs `fn` with a fresh connection and always closes it. When `signal` aborts, the running
 * statement is cancelled on the server (CancelRequest), so cancelling an activity really
 * stops the UNLOAD or COPY instead of leaving it running on the database.
 */
export async function withClient<T>(
  connection: Named,
  applicationName: string,
  fn: (client: Client) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const client = await openClient(connection, applicationName);
  const onAbort = () => {
    const c = client as unknown as { processID: number | null; secretKey: number | null };
    if (c.processID !== null && c.secretKey !== null) {
      sendCancelRequest(connection.host, connection.port ?? (connection.kind === 'redshift' ? 5439 : 5432), c.processID, c.secretKey).catch(() => undefined);
    }
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await fn(client);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}
