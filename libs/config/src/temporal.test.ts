import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { temporalConnectError, temporalSettings } from './temporal';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-temporal-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
// No HOME: the OS default profile path of whoever runs the tests must not leak in.
const base = { HOME: dir };

describe('temporalSettings', () => {
  it('defaults to the local stack, plaintext', () => {
    const s = temporalSettings(base);
    expect(s).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'ferry' });
    expect(s.connection).toEqual({ address: '127.0.0.1:7233', tls: undefined, apiKey: undefined, metadata: undefined });
  });

  it('reads a TOML profile named by TEMPORAL_PROFILE, with TEMPORAL_* variables over it', () => {
    const ca = file('ca.pem', 'CA');
    const toml = file(
      'temporal.toml',
      [
        '[profile.default]',
        'address = "localhost:7233"',
        '[profile.cloud]',
        'address = "ferry.abc12.tmprl.cloud:7233"',
        'namespace = "ferry.abc12"',
        '[profile.cloud.tls]',
        `server_ca_cert_path = "${ca}"`,
        'server_name = "ferry.abc12.tmprl.cloud"',
      ].join('\n'),
    );
    const s = temporalSettings({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'override', FERRY_TASK_QUEUE: 'q' });
    expect(s).toMatchObject({ address: 'ferry.abc12.tmprl.cloud:7233', namespace: 'override', taskQueue: 'q', source: `profile "cloud" of ${toml}` });
    expect(s.connection.tls).toEqual({ serverNameOverride: 'ferry.abc12.tmprl.cloud', serverRootCACertificate: Buffer.from('CA'), clientCertPair: undefined });
  });

  it('finds the OS default profile file (~/.config/temporalio/temporal.toml)', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'ferry-home-'));
    mkdirSync(path.join(home, '.config/temporalio'), { recursive: true });
    writeFileSync(path.join(home, '.config/temporalio/temporal.toml'), '[profile.default]\naddress = "temporal.internal:7233"\n');
    expect(temporalSettings({ HOME: home }).address).toBe('temporal.internal:7233');
  });

  it('mTLS from TEMPORAL_TLS_CLIENT_CERT_PATH/_KEY_PATH; an API key turns TLS on', () => {
    const crt = file('client.pem', 'CRT');
    const key = file('client.key', 'KEY');
    const m = temporalSettings({ ...base, TEMPORAL_ADDRESS: 'h:1', TEMPORAL_TLS_CLIENT_CERT_PATH: crt, TEMPORAL_TLS_CLIENT_KEY_PATH: key });
    expect(m.connection.tls).toMatchObject({ clientCertPair: { crt: Buffer.from('CRT'), key: Buffer.from('KEY') } });
    const k = temporalSettings({ ...base, TEMPORAL_API_KEY: 'secret-key' });
    expect(k.connection).toMatchObject({ tls: true, apiKey: 'secret-key' });
    expect(temporalSettings({ ...base, TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).connection.tls).toBe(false);
    expect(temporalSettings({ ...base, TEMPORAL_TLS_CLIENT_CERT_DATA: 'C', TEMPORAL_TLS_CLIENT_KEY_DATA: 'K' }).connection.tls).toMatchObject({
      clientCertPair: { crt: Buffer.from('C'), key: Buffer.from('K') },
    });
  });

  describe('bad settings fail naming the setting', () => {
    it('a missing certificate file (variable or profile key)', () => {
      expect(() => temporalSettings({ ...base, TEMPORAL_TLS_CLIENT_CERT_PATH: '/nope/c.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/nope/k.pem' })).toThrow(
        'TEMPORAL_TLS_CLIENT_CERT_PATH=/nope/c.pem: cannot read it (ENOENT)',
      );
      const toml = file('missing-ca.toml', '[profile.default.tls]\nserver_ca_cert_path = "/nope/ca.pem"\n');
      expect(() => temporalSettings({ ...base, TEMPORAL_CONFIG_FILE: toml })).toThrow(
        `profile.default.tls.server_ca_cert_path in ${toml}=/nope/ca.pem: cannot read it (ENOENT)`,
      );
    });

    it('a certificate without its key', () => {
      expect(() => temporalSettings({ ...base, TEMPORAL_TLS_CLIENT_CERT_DATA: 'C' })).toThrow(/client certificate is set but TEMPORAL_TLS_CLIENT_KEY_PATH/);
    });

    it('an unknown profile, a missing TEMPORAL_CONFIG_FILE, a malformed file', () => {
      const toml = file('two.toml', '[profile.a]\naddress = "x:1"\n[profile.b]\naddress = "y:1"\n');
      expect(() => temporalSettings({ ...base, TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'prod' })).toThrow(
        `TEMPORAL_PROFILE=prod: no such profile in ${toml} (it has a, b)`,
      );
      expect(() => temporalSettings({ ...base, TEMPORAL_PROFILE: 'prod' })).toThrow(
        /TEMPORAL_PROFILE=prod: no such profile in any Temporal config file \(set TEMPORAL_CONFIG_FILE\)/,
      );
      expect(() => temporalSettings({ ...base, TEMPORAL_CONFIG_FILE: '/nope.toml' })).toThrow('TEMPORAL_CONFIG_FILE=/nope.toml: no such file');
      const bad = file('bad.toml', '[profile.a\n');
      expect(() => temporalSettings({ ...base, TEMPORAL_CONFIG_FILE: bad })).toThrow(`cannot read the Temporal config file ${bad} (TEMPORAL_CONFIG_FILE)`);
    });

    it('TEMPORAL_TLS_DISABLE_HOST_VERIFICATION, which the SDK cannot honour', () => {
      expect(() => temporalSettings({ ...base, TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: 'true' })).toThrow(/TEMPORAL_TLS_SERVER_NAME/);
    });
  });

  it('connect errors say what to check and never print the API key', () => {
    const s = temporalSettings({ ...base, TEMPORAL_API_KEY: 'very-secret', TEMPORAL_ADDRESS: 'h:7233' });
    const e = temporalConnectError(s, new Error('16 UNAUTHENTICATED: invalid API key'));
    expect(e.message).toMatch(
      /^cannot connect to Temporal at h:7233 \(TLS with an API key, TEMPORAL_\* environment variables\): 16 UNAUTHENTICATED.*check TEMPORAL_API_KEY/,
    );
    expect(e.message).not.toContain('very-secret');
  });
});
