import type { DbCredentials } from '@ferry/db-auth';
import type { Named } from '@ferry/config';
import { SessionPools } from '@ferry/activities';
import { startTlsPostgres, type TlsPostgres } from './support/tls-postgres';

// The sessions of a connection whose password comes from AWS (here a Secrets Manager secret,
// stood in for by a credentials cache the test controls), against a PostgreSQL that checks
// passwords: each new session asks the cache, and a rotated password is fetched again once.
describe('session pools with AWS logins', () => {
  let pg: TlsPostgres;
  let password: string;
  const logins: string[] = [];
  const credentials = {
    cached: undefined as string | undefined,
    async login() {
      const cached = this.cached !== undefined;
      this.cached ??= password;
      logins.push(cached ? 'cached' : 'fetched');
      return { user: pg.user, password: this.cached, cached };
    },
    invalidate() {
      logins.push('invalidated');
      this.cached = undefined;
    },
  };

  beforeAll(async () => {
    pg = await startTlsPostgres();
    password = pg.password;
  });
  afterAll(async () => {
    await pg?.stop();
  });

  const connection = (): Named =>
    ({
      kind: 'postgres',
      name: 'rotating',
      host: pg.host,
      port: pg.port,
      database: pg.database,
      user: pg.user,
      passwordSecret: 'arn:aws:secretsmanager:us-east-1:1:secret:x',
      sslmode: 'verify-full',
      sslrootcert: pg.caFile,
    }) as unknown as Named;

  it('a session is reused; after the secret rotates, the refused login is forgotten and the new password fetched once', async () => {
    const sessions = new SessionPools({ credentials: credentials as unknown as DbCredentials });
    const whoami = async () => {
      const client = await sessions.acquire(connection(), 'ferry test');
      const { rows } = await client.query<{ pid: number; user: string }>('SELECT pg_backend_pid() AS pid, current_user AS user');
      sessions.release(client, true);
      return rows[0];
    };
    const first = await whoami();
    expect(first.user).toBe(pg.user);
    expect((await whoami()).pid).toBe(first.pid);

    const admin = await pg.admin();
    password = `rotated${Date.now()}`;
    await admin.query(`ALTER ROLE ${pg.user} PASSWORD '${password}'`);
    await admin.end();
    // New sessions from now on: the pool made with the old login is dropped after the refusal.
    await sessions.end();
    logins.length = 0;
    const after = await whoami();
    expect(after.user).toBe(pg.user);
    expect(after.pid).not.toBe(first.pid);
    expect(logins).toEqual(['cached', 'invalidated', 'fetched']);
    await sessions.end();
  });

  it('a freshly fetched password that is refused is not fetched again: the login fails with DatabaseAuthFailed (non-retryable once classified), naming the connection', async () => {
    const sessions = new SessionPools({ credentials: credentials as unknown as DbCredentials });
    credentials.cached = undefined;
    const real = password;
    password = 'not-the-password';
    logins.length = 0;
    const err = await sessions.acquire(connection(), 'ferry test').catch((e: unknown) => e);
    password = real;
    expect(err).toMatchObject({ name: 'ConfigError', failureType: 'DatabaseAuthFailed' });
    expect((err as Error).message).toContain('connection "rotating"');
    expect((err as Error).message).not.toContain('not-the-password');
    expect(logins).toEqual(['fetched']);
    await sessions.end();
  });
});
