import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { localStackConfig, type FerryConfig } from '@ferry/config';
import type { Client } from 'pg';
import { connect, createDatabase, rowsOf } from './support/databases';
import { startFerry, type FerryHarness } from './support/ferry';
import { spawnWorker } from './support/processes';
import { startTlsPostgres, type TlsPostgres } from './support/tls-postgres';

// Against a PostgreSQL that accepts TLS only (hostssl), with a CA made at test time: what
// each sslmode does, and what the failures say.
describe('database TLS (sslmode, sslrootcert) against a TLS-only PostgreSQL', () => {
  let pg: TlsPostgres;
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let src: Client;
  let dst: Client;
  let ferry: FerryHarness;
  const passwordEnv = 'FERRY_TEST_TLS_PG_PASSWORD';
  const wrongPasswordEnv = 'FERRY_TEST_TLS_PG_WRONG_PASSWORD';
  const wrongPassword = 'not-the-password-0xC0FFEE';

  beforeAll(async () => {
    pg = await startTlsPostgres();
    process.env[passwordEnv] = pg.password;
    process.env[wrongPasswordEnv] = wrongPassword;
    source = await createDatabase('ferry_tls_src');
    src = await connect(source.name);
    await src.query(`CREATE TABLE public.accounts (id int PRIMARY KEY, name text)`);
    await src.query(`INSERT INTO public.accounts SELECT g, 'account ' || g FROM generate_series(1, 500) g`);
    dst = await pg.admin(pg.database);
    await dst.query(`SET ROLE ${pg.user}`);
    await dst.query(`CREATE TABLE public.accounts (id int PRIMARY KEY, name text)`);

    const base = localStackConfig();
    // The fields the schema would default when a file is loaded, written out.
    const defaults = { stagingSchema: 'ferry_staging', maxConcurrentLoads: 2, loadMethod: 'copy' };
    const target = (overrides: object) => ({
      kind: 'postgres',
      host: pg.host,
      port: pg.port,
      database: pg.database,
      user: pg.user,
      passwordEnv,
      ...defaults,
      ...overrides,
    });
    const config = {
      ...base,
      connections: {
        redshift: { ...base.connections.redshift, database: source.name },
        verify_full: target({ sslmode: 'verify-full', sslrootcert: pg.caFile }),
        verify_ca_by_ip: target({ host: '127.0.0.1', sslmode: 'verify-ca', sslrootcert: pg.caFile }),
        wrong_ca: target({ sslmode: 'verify-full', sslrootcert: pg.otherCaFile }),
        wrong_host: target({ host: '127.0.0.1', sslmode: 'verify-full', sslrootcert: pg.caFile }),
        no_tls: target({ sslmode: 'disable' }),
        bad_password: target({ sslmode: 'verify-full', sslrootcert: pg.caFile, passwordEnv: wrongPasswordEnv }),
      },
    } as unknown as FerryConfig;
    ferry = await startFerry(config);
  });

  afterAll(async () => {
    await ferry?.stop();
    await Promise.all([src?.end(), dst?.end()]);
    await source?.drop();
    await pg?.stop();
  });

  const transfer = (connection: string) =>
    ferry.execute(
      'tableTransfer',
      { source: { connection: 'redshift', table: 'public.accounts' }, target: { connection, table: 'public.accounts' } },
      `tls-${connection}`,
    );

  /** The run's failure, after checking that its whole history holds neither password. */
  const failure = async (connection: string) => {
    const handle = await ferry.start(
      'tableTransfer',
      { source: { connection: 'redshift', table: 'public.accounts' }, target: { connection, table: 'public.accounts' } },
      `tls-${connection}`,
    );
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history).not.toContain(pg.password);
    expect(history).not.toContain(wrongPassword);
    return (err as WorkflowFailedError).cause as { message: string; type?: string; nonRetryable?: boolean };
  };

  it('verify-full with the CA as sslrootcert: a transfer into the TLS-only server succeeds', async () => {
    const result = await transfer('verify_full');
    expect(result.rows).toBe(500);
    expect(await rowsOf(dst, 'public.accounts', 'id')).toEqual(await rowsOf(src, 'public.accounts', 'id'));
  });

  it('verify-ca checks the chain but not the name, so connecting by IP address works', async () => {
    await expect(transfer('verify_ca_by_ip')).resolves.toMatchObject({ rows: 500 });
  });

  it('a wrong CA fails non-retryably, naming the connection, sslrootcert and the RDS bundle', async () => {
    const cause = await failure('wrong_ca');
    expect(cause).toMatchObject({ type: 'DatabaseTlsFailed', nonRetryable: true });
    expect(cause.message).toContain('connection "wrong_ca" (localhost:');
    expect(cause.message).toContain(`is not signed by the CA certificates in ${pg.otherCaFile} (connections.wrong_ca.sslrootcert)`);
    expect(cause.message).toContain('https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem');
  });

  it('a host name the certificate does not hold fails non-retryably under verify-full', async () => {
    const cause = await failure('wrong_host');
    expect(cause).toMatchObject({ type: 'DatabaseTlsFailed', nonRetryable: true });
    expect(cause.message).toContain('connection "wrong_host" (127.0.0.1:');
    expect(cause.message).toContain(`is not issued for host "127.0.0.1"`);
    expect(cause.message).toContain('Connect by a name the certificate holds');
  });

  it('sslmode disable against the TLS-only server fails clearly', async () => {
    const cause = await failure('no_tls');
    expect(cause).toMatchObject({ type: 'DatabaseTlsFailed', nonRetryable: true });
    expect(cause.message).toContain('connection "no_tls"');
    expect(cause.message).toContain('the server accepts only TLS connections');
    expect(cause.message).toContain('but sslmode is disable (from connections.no_tls.sslmode). Set sslmode to verify-full');
  });

  it('a refused password fails non-retryably, names the variable, and contains no password', async () => {
    const cause = await failure('bad_password');
    expect(cause).toMatchObject({ type: 'DatabaseAuthFailed', nonRetryable: true });
    expect(cause.message).toContain(`connection "bad_password"`);
    expect(cause.message).toContain(`Check the password in the worker's ${wrongPasswordEnv}`);
    expect(cause.message).not.toContain(wrongPassword);
    expect(cause.message).not.toContain(pg.password);
  });

  describe('bad TLS settings stop the worker at start, naming the setting', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ferry-tls-config-'));
    const workerWith = async (connection: object) => {
      const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          s3: { bucket: 'ferry-staging' },
          connections: { app: { kind: 'postgres', host: 'db.example.com', database: 'app', user: 'ferry', ...connection } },
        }),
      );
      const worker = spawnWorker({ FERRY_CONFIG: file });
      const code = await new Promise<number | null>((resolve) => worker.child.once('exit', resolve));
      return { code, output: worker.output() };
    };

    it('an unknown sslmode', async () => {
      const { code, output } = await workerWith({ sslmode: 'prefer' });
      expect(code).toBe(1);
      expect(output).toContain('connections.app.sslmode: sslmode \\"prefer\\" is not one ferry supports: use disable, require, verify-ca or verify-full');
    });

    it('a missing sslrootcert file', async () => {
      const { code, output } = await workerWith({ sslmode: 'verify-full', sslrootcert: path.join(dir, 'missing.pem') });
      expect(code).toBe(1);
      expect(output).toContain(
        `connections.app.sslrootcert: cannot read ${path.join(dir, 'missing.pem')} for connection \\"app\\" (db.example.com:5432/app) (ENOENT)`,
      );
    });
  });
});
