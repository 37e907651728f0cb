import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from './load';
import { pgSslOptions, tlsSettings } from './tls';
import type { Named } from './schema';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-tls-'));
const ca = path.join(dir, 'ca.pem');
execFileSync(
  'openssl',
  [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    path.join(dir, 'ca.key'),
    '-out',
    ca,
    '-days',
    '1',
    '-subj',
    '/CN=unit test CA',
  ],
  { stdio: 'ignore' },
);
const pg = (fields: object): Named =>
  ({
    kind: 'postgres',
    name: 'app',
    host: 'db.example.com',
    database: 'app',
    user: 'ferry',
    stagingSchema: 's',
    maxConcurrentLoads: 1,
    loadMethod: 'copy',
    ...fields,
  }) as Named;

describe('sslmode and sslrootcert', () => {
  it('maps each sslmode onto node-postgres TLS options as libpq behaves', () => {
    expect(pgSslOptions(pg({ sslmode: 'disable' }), {})).toBe(false);
    expect(pgSslOptions(pg({ sslmode: 'require' }), {})).toEqual({ rejectUnauthorized: false });
    const full = pgSslOptions(pg({ sslmode: 'verify-full', sslrootcert: ca }), {});
    expect(full).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(full).not.toHaveProperty('checkServerIdentity');
    const verifyCa = pgSslOptions(pg({ sslmode: 'verify-ca', sslrootcert: ca }), {}) as { checkServerIdentity: () => unknown };
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    // libpq: require with a root certificate verifies the chain.
    expect(pgSslOptions(pg({ sslmode: 'require', sslrootcert: ca }), {})).toMatchObject({ rejectUnauthorized: true });
    expect(pgSslOptions(pg({ sslmode: 'verify-full', sslrootcert: 'system' }), {})).toEqual({ ca: undefined, rejectUnauthorized: true });
  });

  it('keeps ssl: true as verify-full against the system trust store, and no setting as no TLS', () => {
    expect(tlsSettings(pg({ ssl: true }), {})).toEqual({ mode: 'verify-full', modeFrom: 'connections.app.ssl' });
    expect(pgSslOptions(pg({ ssl: true }), {})).toEqual({ ca: undefined, rejectUnauthorized: true });
    expect(pgSslOptions(pg({}), {})).toBe(false);
  });

  it("takes the worker's PGSSLMODE and PGSSLROOTCERT as defaults, the connection's own settings first", () => {
    const env = { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca };
    expect(tlsSettings(pg({}), env)).toEqual({ mode: 'verify-full', modeFrom: 'PGSSLMODE', rootcert: ca, rootcertFrom: 'PGSSLROOTCERT' });
    expect(tlsSettings(pg({ sslmode: 'disable' }), env).mode).toBe('disable');
    expect(() => tlsSettings(pg({}), { PGSSLMODE: 'prefer' })).toThrow("PGSSLMODE=prefer in the worker's environment is not an sslmode ferry supports");
  });
});

describe('TLS and login settings are checked when the config loads (worker start)', () => {
  const load = (connection: object, env: NodeJS.ProcessEnv = {}) => {
    const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        s3: { bucket: 'b' },
        connections: { app: { kind: 'postgres', host: 'db.example.com', database: 'app', user: 'ferry', ...connection } },
      }),
    );
    return () => loadConfig({ FERRY_CONFIG: file, ...env });
  };

  it('an unknown sslmode names the setting and the choices', () => {
    expect(load({ sslmode: 'verify_full' })).toThrow(
      'connections.app.sslmode: sslmode "verify_full" is not one ferry supports: use disable, require, verify-ca or verify-full',
    );
  });

  it('an sslrootcert that is missing or holds no certificate', () => {
    expect(load({ sslmode: 'verify-full', sslrootcert: path.join(dir, 'nope.pem') })).toThrow(
      /connections\.app\.sslrootcert: cannot read .*nope\.pem for connection "app" \(db\.example\.com:5432\/app\) \(ENOENT\).*global-bundle\.pem/,
    );
    const html = path.join(dir, 'bundle.html');
    writeFileSync(html, '<html>Access denied</html>');
    expect(load({ sslmode: 'verify-full', sslrootcert: html })).toThrow(`connections.app.sslrootcert: ${html} holds no PEM certificate`);
    expect(load({ sslmode: 'verify-full' }, { PGSSLROOTCERT: html })).toThrow(`PGSSLROOTCERT: ${html} holds no PEM certificate`);
  });

  it('contradictory login settings', () => {
    expect(load({ passwordEnv: 'PW', iamAuth: true, sslmode: 'verify-full' })).toThrow(
      'connections.app.iamAuth: passwordEnv and iamAuth each say where the password comes from: keep one',
    );
    expect(load({ iamAuth: true, sslmode: 'disable' })).toThrow('connections.app.iamAuth: IAM authentication needs TLS');
    expect(load({ iamAuth: true }, { PGSSLMODE: 'disable' })).toThrow(
      'IAM authentication needs TLS (RDS refuses tokens over plaintext), but sslmode is disable (from PGSSLMODE)',
    );
    expect(load({ ssl: true, sslmode: 'require' })).toThrow('connections.app.ssl: ssl is the old spelling of sslmode');
  });

  it('Redshift: user optional only where the IAM identity names it', () => {
    const rs = (fields: object) => load({ kind: 'redshift', iamRole: 'arn:aws:iam::1:role/r', user: undefined, ...fields });
    expect(rs({})).toThrow('connections.app.user: a redshift connection needs user, unless clusterIdentifier or workgroupName');
    expect(rs({ workgroupName: 'lake', user: 'ferry' })).toThrow('connections.app.user: Redshift Serverless names the database user after the IAM identity');
    expect(rs({ clusterIdentifier: 'analytics' })()).toMatchObject({ connections: { app: { clusterIdentifier: 'analytics' } } });
  });

  it('Redshift over the Data API: a cluster or a workgroup, DbUser or a secret, no host, password or TLS settings', () => {
    const api = (fields: object) =>
      load({ kind: 'redshift', transport: 'data-api', iamRole: 'arn:aws:iam::1:role/r', host: undefined, user: undefined, ...fields });
    expect(api({ clusterIdentifier: 'analytics', user: 'ferry' })()).toMatchObject({
      connections: { app: { transport: 'data-api', clusterIdentifier: 'analytics' } },
    });
    expect(api({ clusterIdentifier: 'analytics', passwordSecret: 'arn:aws:secretsmanager:eu-west-1:1:secret:rs' })).not.toThrow();
    expect(api({ workgroupName: 'lake' })).not.toThrow();
    expect(api({})).toThrow('connections.app.clusterIdentifier: transport data-api needs exactly one of clusterIdentifier');
    expect(api({ clusterIdentifier: 'a', workgroupName: 'b' })).toThrow('needs exactly one of clusterIdentifier');
    expect(api({ clusterIdentifier: 'a', user: 'u', passwordSecret: 's' })).toThrow(
      'connections.app.user: over the Data API, user (DbUser) and passwordSecret (SecretArn)',
    );
    expect(api({ workgroupName: 'lake', user: 'u' })).toThrow('connections.app.user: Redshift Serverless names the database user');
    expect(api({ clusterIdentifier: 'a', passwordEnv: 'PW' })).toThrow('connections.app.passwordEnv: transport data-api does not use passwordEnv');
    expect(load({ kind: 'redshift', iamRole: 'r', host: undefined })).toThrow('connections.app.host: a connection over the wire protocol needs host');
  });
});
