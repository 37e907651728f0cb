import { Client } from 'pg';
import { pgClientConfig, type FerryConfig } from '@ferry/config';
import { startRedshiftLocal } from '@ferry/redshift-local';
import { makeTestPki, type TestPki } from './support/certificates';
import { connect } from './support/databases';
import { stack } from './support/env';
import { startFerry, testConfig, transferFixture, type FerryHarness } from './support/ferry';

// A Redshift that requires TLS (a cluster with require_ssl): redshift-local serving TLS with
// a certificate of a CA made at test time, and refusing plaintext.
describe('TLS to Redshift (redshift-local with require TLS)', () => {
  const env = transferFixture('rstls');
  let pki: TestPki;
  let redshift: Awaited<ReturnType<typeof startRedshiftLocal>>;
  let ferry: FerryHarness;
  let config: FerryConfig;
  const withRedshift = (overrides: Record<string, unknown>) =>
    ({ ...config.connections.redshift, host: 'localhost', port: redshift.port, ...overrides }) as FerryConfig['connections'][string];

  beforeAll(async () => {
    pki = await makeTestPki('localhost');
    redshift = await startRedshiftLocal({
      port: 0,
      backendPort: stack.pg.port,
      tls: { certFile: pki.server.cert, keyFile: pki.server.key },
      requireTls: true,
      log: () => undefined,
    });
    config = testConfig(env.sourceDb, env.targetDb);
    config.connections.redshift = withRedshift({ sslmode: 'verify-full', sslrootcert: pki.ca.cert });
    ferry = await startFerry(config);
    await env.src.query(`CREATE TABLE secured (id int, v varchar(10))`);
    await env.src.query(`INSERT INTO secured SELECT g, 'v' || g FROM generate_series(1, 100) g`);
    await env.dst.query(`CREATE TABLE secured (id int, v varchar(10))`);
  });
  afterAll(async () => {
    await ferry?.stop();
    await redshift?.close();
  });

  const tryConnect = async (overrides: Record<string, unknown>) => {
    const client = new Client(pgClientConfig(withRedshift(overrides), 'ferry test'));
    try {
      await client.connect();
      return (await client.query('SELECT version() AS v')).rows[0].v as string;
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  it('verify-full with the CA: a transfer UNLOADs through the TLS session', async () => {
    expect(await tryConnect({ sslmode: 'verify-full', sslrootcert: pki.ca.cert })).toMatch(/Redshift/);
    const result = await ferry.execute(
      'tableTransfer',
      { source: { connection: 'redshift', table: 'secured' }, target: { connection: 'postgres', table: 'secured' } },
      'rstls',
    );
    expect(result.rows).toBe(100);
    const dst = await connect(env.targetDb);
    expect((await dst.query(`SELECT count(*)::int AS n, min(v) AS lo FROM secured`)).rows[0]).toEqual({ n: 100, lo: 'v1' });
    await dst.end();
  });

  it('plaintext is refused, naming the cause', async () => {
    await expect(tryConnect({ sslmode: 'disable' })).rejects.toThrow(/redshift-local requires SSL/);
  });

  it('a certificate from another CA is refused', async () => {
    await expect(tryConnect({ sslmode: 'verify-full', sslrootcert: pki.rogueClient.cert })).rejects.toThrow(/certificate/i);
  });
});
