import pg from 'pg';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { regionFor } from '@ferry/db-auth';
import { pgClientConfig, usesAwsCredentials, type Named } from '@ferry/config';
import { DbCredentials, type DbLogin } from '@ferry/db-auth';
import { sendCancelRequest } from './cancel';
import { describeConnectError, isLoginRefused } from './connect-errors';
import { sessionSettingsSql } from './session-settings';

/** An unused session is closed after this; a small table's activities follow each other well within it. */
const IDLE_MS = 10_000;
/**
 * Sessions open at once per connection and application name. Temporal's activity slots bound
 * the real concurrency (and `maxConcurrentLoads` the loads); this only keeps a runaway from
 * exhausting the database's connection limit.
 */
const MAX_SESSIONS = 100;

/**
 * The worker's database sessions: one pg.Pool per connection and application name (the
 * database still shows which step a session serves; Redshift cannot SET application_name).
 * Reusing sessions saves a small table's activities and part loads a connect, TLS handshake
 * and login each. Owned by the activities' dependencies and ended when the worker stops.
 *
 * Logins whose password comes from AWS (Secrets Manager, RDS IAM tokens, temporary Redshift
 * credentials) go through @ferry/db-auth on every new session: its cache decides when to ask
 * AWS again, and a cached login the server refuses is forgotten and tried once more fresh.
 */
export class SessionPools {
  private readonly pools = new Map<string, Promise<pg.Pool>>();
  /** Whether the last login a pool asked for came from the cache: only such a login is worth a fresh one when refused. */
  private readonly lastLoginCached = new Map<string, boolean>();
  private readonly used = new WeakSet<pg.PoolClient>();
  private readonly dataApiClients = new Map<string, RedshiftDataClient>();
  private readonly credentials: DbCredentials;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: { credentials?: DbCredentials; env?: NodeJS.ProcessEnv } = {}) {
    this.credentials = options.credentials ?? new DbCredentials();
    this.env = options.env ?? process.env;
  }

  /**
   * Runs `fn` with a session of the connection, and hands it back for reuse only when `fn`
   * succeeded. When `signal` aborts, the running statement is cancelled on the server
   * (CancelRequest), so cancelling an activity really stops the UNLOAD or COPY instead of
   * leaving it running on the database.
   */
  async use<T>(connection: Named, applicationName: string, fn: (client: pg.PoolClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const client = await this.acquire(connection, applicationName);
    const onAbort = () => {
      // The backend's key from its BackendKeyData message: what a CancelRequest must quote.
      const c = client as unknown as { processID: number | null; secretKey: number | null };
      if (c.processID !== null && c.secretKey !== null) {
        sendCancelRequest(connection.host!, connection.port ?? (connection.kind === 'redshift' ? 5439 : 5432), c.processID, c.secretKey).catch(() => undefined);
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
      this.release(client, succeeded && !signal?.aborted);
    }
  }

  /**
   * A session of the connection, under ferry's session settings (session-settings.ts). One
   * that an earlier activity used gets RESET ALL first, which undoes what it SET
   * (search_path, extra_float_digits) and finds a session the server closed meanwhile, which
   * is dropped for another.
   */
  async acquire(connection: Named, applicationName: string): Promise<pg.PoolClient> {
    for (;;) {
      const client = await this.connect(connection, applicationName);
      const reused = this.used.has(client);
      if (!reused) {
        this.used.add(client);
        // The pool listens for errors of idle sessions only. A session that fails while an
        // activity holds it (the server terminated it) fails that activity's query; the
        // error event must not also crash the worker.
        client.on('error', () => undefined);
      }
      try {
        await client.query(sessionSettingsSql(connection, reused));
        return client;
      } catch (err) {
        client.release(true);
        if (!reused) throw err;
      }
    }
  }

  /**
   * Keeps the session for the next activity when the one that used it succeeded and left no
   * transaction open; otherwise (a failure, a cancelled statement, a COPY cut short) closes it.
   */
  release(client: pg.PoolClient, reusable: boolean): void {
    // Listeners an activity added (unload's notices) belong to that activity.
    client.removeAllListeners('notice');
    client.removeAllListeners('notification');
    client.release(!reusable || client.getTransactionStatus() !== 'I');
  }

  /**
   * The Data API client for a `transport: data-api` connection, one per region: HTTPS with the
   * worker's AWS credentials (the SDK's default chain); FERRY_REDSHIFT_DATA_ENDPOINT points it
   * elsewhere (redshift-local's endpoint on the local stack).
   */
  dataApi(connection: Named): RedshiftDataClient {
    const region = regionFor(connection, this.env);
    const endpoint = this.env.FERRY_REDSHIFT_DATA_ENDPOINT || undefined;
    const key = JSON.stringify([region, endpoint]);
    let client = this.dataApiClients.get(key);
    if (!client) {
      client = new RedshiftDataClient({ region, ...(endpoint && { endpoint }) });
      this.dataApiClients.set(key, client);
    }
    return client;
  }

  /** Closes every session: at worker shutdown, after the activities have finished. */
  async end(): Promise<void> {
    for (const client of this.dataApiClients.values()) client.destroy();
    this.dataApiClients.clear();
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(async (p) => (await p.catch(() => undefined))?.end()));
  }

  private async connect(connection: Named, applicationName: string): Promise<pg.PoolClient> {
    try {
      try {
        return await (await this.pool(connection, applicationName)).connect();
      } catch (err) {
        if (!usesAwsCredentials(connection) || !isLoginRefused(err) || !this.lastLoginCached.get(keyOf(connection, applicationName))) throw err;
        // The secret was rotated or the temporary login revoked: forget it, and the pool made with it.
        this.credentials.invalidate(connection);
        await this.drop(connection, applicationName);
        return await (await this.pool(connection, applicationName)).connect();
      }
    } catch (err) {
      throw describeConnectError(err, connection);
    }
  }

  private pool(connection: Named, applicationName: string): Promise<pg.Pool> {
    // The connection's settings, not its name alone: one process may hold configs that reuse names (tests do).
    const key = keyOf(connection, applicationName);
    let pool = this.pools.get(key);
    if (!pool) {
      pool = this.createPool(connection, applicationName);
      pool.catch(() => this.pools.delete(key));
      this.pools.set(key, pool);
    }
    return pool;
  }

  private async createPool(connection: Named, applicationName: string): Promise<pg.Pool> {
    const options = { max: MAX_SESSIONS, idleTimeoutMillis: IDLE_MS, allowExitOnIdle: true };
    let pool: pg.Pool;
    if (usesAwsCredentials(connection)) {
      // The user is fixed per pool (a temporary Redshift login names it); the password is asked for per session.
      const key = keyOf(connection, applicationName);
      // The first login names the user (a temporary Redshift login chooses it) and serves the first session.
      let first: DbLogin | undefined = await this.credentials.login(connection);
      pool = new pg.Pool({
        ...pgClientConfig(connection, applicationName, this.env, { user: first.user }),
        password: async () => {
          const login = first ?? (await this.credentials.login(connection));
          first = undefined;
          this.lastLoginCached.set(key, login.cached);
          return login.password ?? '';
        },
        ...options,
      });
    } else {
      pool = new pg.Pool({ ...pgClientConfig(connection, applicationName, this.env), ...options });
    }
    // An idle session the server closed is dropped by the pool; its error must not crash the worker.
    pool.on('error', () => undefined);
    return pool;
  }

  private async drop(connection: Named, applicationName: string): Promise<void> {
    const key = keyOf(connection, applicationName);
    const pool = this.pools.get(key);
    this.pools.delete(key);
    await (await pool?.catch(() => undefined))?.end();
  }
}

const keyOf = (connection: Named, applicationName: string) => JSON.stringify([applicationName, connection]);
