import { Client } from 'pg';
import { pgClientConfig, type Connection } from '@ferry/config';
import { sendCancelRequest } from './cancel';

/**
 * Runs `fn` with a fresh connection and always closes it. When `signal` aborts, the running
 * statement is cancelled on the server (CancelRequest), so cancelling an activity really
 * stops the UNLOAD or COPY instead of leaving it running on the database.
 */
export async function withClient<T>(
  connection: Connection,
  applicationName: string,
  fn: (client: Client) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const config = pgClientConfig(connection, applicationName);
  const client = new Client(config);
  await client.connect();
  client.on('error', () => undefined); // a terminated backend surfaces through the running query
  const onAbort = () => {
    const c = client as unknown as { processID: number | null; secretKey: number | null };
    if (c.processID !== null && c.secretKey !== null) {
      sendCancelRequest(config.host!, config.port!, c.processID, c.secretKey).catch(() => undefined);
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
