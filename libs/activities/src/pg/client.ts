import type { PoolClient } from 'pg';
import type { Named } from '@ferry/config';
import { sendCancelRequest } from './cancel';
import { SessionPools } from './session-pools';

/** The sessions of activities whose dependencies bring none (the CLI's previews, older callers). */
const processSessions = new SessionPools();

/**
 * Runs `fn` with a session of the connection (see session-pools.ts), and hands it back for
 * reuse only when `fn` succeeded. When `signal` aborts, the running statement is cancelled on
 * the server (CancelRequest), so cancelling an activity really stops the UNLOAD or COPY
 * instead of leaving it running on the database.
 */
export async function withClient<T>(
  connection: Named,
  applicationName: string,
  fn: (client: PoolClient) => Promise<T>,
  signal?: AbortSignal,
  sessions: SessionPools = processSessions,
): Promise<T> {
  const client = await sessions.acquire(connection, applicationName);
  const onAbort = () => {
    // The backend's key from its BackendKeyData message: what a CancelRequest must quote.
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
    sessions.release(client, succeeded && !signal?.aborted);
  }
}
