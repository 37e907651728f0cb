import { Client } from 'pg';
import { pgClientConfig, usesAwsCredentials, type Named } from '@ferry/config';
import { DbCredentials, withLogin } from '@ferry/db-auth';
import { describeConnectError, isLoginRefused } from './connect-errors';

/** One per worker process: cached Secrets Manager passwords and temporary Redshift logins are shared by all activities. */
let shared: DbCredentials | undefined;
const credentials = () => (shared ??= new DbCredentials());

/**
 * A connected client for a configured connection: TLS as its sslmode says, the login from
 * its password source (AWS ones through @ferry/db-auth, refreshed once when refused), and a
 * failure a retry cannot fix turned into a non-retryable error naming the connection.
 */
export async function openClient(connection: Named, applicationName: string): Promise<Client> {
  const connect = async (login?: { user: string; password?: string }) => {
    const client = new Client(pgClientConfig(connection, applicationName, process.env, login));
    client.on('error', () => undefined); // a failed or terminated connection surfaces through connect() or the running query
    try {
      await client.connect();
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  };
  try {
    return usesAwsCredentials(connection) ? await withLogin(credentials(), connection, connect, isLoginRefused) : await connect();
  } catch (err) {
    throw describeConnectError(err, connection);
  }
}
