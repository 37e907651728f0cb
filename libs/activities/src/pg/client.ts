import type { Client } from 'pg';
import type { Named } from '@ferry/config';
import { sendCancelRequest } from './cancel';
import { returnSession, takeSession } from './sessions';

/**
 * Runs `fn` with a session of the connection (an idle one when the worker has it, see
 * sessions.ts), and hands it back for reuse only when `fn` succeeded. When `signal` aborts,
 * the running statement is cancelled on the server (CancelRequest), so cancelling an
 * activity really stops the UNLOAD or COPY instead of leaving it running on the database.
 */
export async function withClient<T>(
  connection: Named,
  applicationName: string,
  fn: (client: Client) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const client = await takeSession(connection, applicationName);
  const onAbort = () => {
    const c = client as unknown as { processID: number | null; secretKey: number | null };
    if (c.processID !== null && c.secretKey !== null) {
      sendCancelRequest(connection.host, connection.port ?? (connection.kind === 'redshift' ? 5439 : 5432), c.processID, c.secretKey).catch(() => undefined);
    }
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let succeeded = false;
  try {
    const result = await fn(client);
    succeeded = true;
    return result;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await returnSession(connection, applicationName, client, succeeded && !signal?.aborted);
  }
}
