import type { Named, RedshiftConnection } from '@ferry/config';
import { DataApiSession, dataApiSource, wireSource, type DescribingSession, type DurableUnload, type RedshiftSource } from '@ferry/redshift';
import type { SessionPools } from './pg/session-pools';
import { dataApiDeniedFailure } from './failure-messages/source';

/** A session on the source, whichever transport reaches it: node-postgres' PoolClient, or a Data API session. */
export type SourceSession = DescribingSession;

/**
 * Runs `fn` with the source as its connection's transport reaches it: a pooled wire session
 * (cancelled by CancelRequest when `signal` aborts), or a Data API session (whose polling
 * stops when `signal` aborts; a durable UNLOAD cancels its statement).
 */
export function useSource<T>(
  sessions: SessionPools,
  connection: Named<RedshiftConnection>,
  applicationName: string,
  fn: (source: RedshiftSource<SourceSession>, session: SourceSession) => Promise<T>,
  options: { signal?: AbortSignal; durable?: DurableUnload } = {},
): Promise<T> {
  if (connection.transport === 'data-api') {
    const session = new DataApiSession(sessions.dataApi(connection), connection, options.signal);
    return fn(dataApiSource(session, options.durable) as RedshiftSource<SourceSession>, session).catch((err: Error) => {
      // IAM says no to this identity: every retry would be refused the same way.
      throw err.name === 'AccessDeniedException' ? dataApiDeniedFailure(connection, err) : err;
    });
  }
  return sessions.use(connection, applicationName, (client) => fn(wireSource(client) as RedshiftSource<SourceSession>, client), options.signal);
}
