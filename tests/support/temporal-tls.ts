import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeTestPki, type TestPki } from './certificates';
import { stack } from './env';
import { startTemporalProxy, type TemporalProxy } from './temporal-proxy';

export const SERVER_NAME = 'temporal.ferry.test';

/**
 * The dev server behind two TLS proxies, as a secured deployment has it: `mtls` requires a
 * client certificate of the test CA, `apikey` requires `API_KEY`. One TOML profile file
 * describes both, for ferry and the `temporal` CLI alike.
 */
export interface SecuredTemporal {
  pki: TestPki;
  apiKey: string;
  mtls: TemporalProxy;
  keyed: TemporalProxy;
  profileFile: string;
  /** process.env with the local stack's TEMPORAL_* removed and the profile selected. */
  env(profile: string, extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function startSecuredTemporal(): Promise<SecuredTemporal> {
  const pki = await makeTestPki(SERVER_NAME);
  const apiKey = `ferry-test-api-key-${randomBytes(16).toString('hex')}`;
  const proxy = { upstream: stack.temporalAddress, cert: pki.server.cert, key: pki.server.key };
  const mtls = await startTemporalProxy({ ...proxy, clientCa: pki.ca.cert });
  const keyed = await startTemporalProxy({ ...proxy, apiKey });
  const profileFile = path.join(pki.dir, 'temporal.toml');
  const tls = [`server_ca_cert_path = "${pki.ca.cert}"`, `server_name = "${SERVER_NAME}"`];
  writeFileSync(
    profileFile,
    [
      '[profile.mtls]',
      `address = "${mtls.address}"`,
      `namespace = "${stack.namespace}"`,
      '[profile.mtls.tls]',
      `client_cert_path = "${pki.client.cert}"`,
      `client_key_path = "${pki.client.key}"`,
      ...tls,
      '[profile.apikey]',
      `address = "${keyed.address}"`,
      `namespace = "${stack.namespace}"`,
      `api_key = "${apiKey}"`,
      '[profile.apikey.tls]',
      ...tls,
      '',
    ].join('\n'),
  );
  return {
    pki,
    apiKey,
    mtls,
    keyed,
    profileFile,
    env: (profile, extra = {}) => ({
      ...process.env,
      TEMPORAL_ADDRESS: undefined,
      TEMPORAL_NAMESPACE: undefined,
      TEMPORAL_CONFIG_FILE: profileFile,
      TEMPORAL_PROFILE: profile,
      ...extra,
    }),
    close: async () => {
      await Promise.all([mtls.close(), keyed.close()]);
    },
  };
}
