import { existsSync, readFileSync } from 'node:fs';
import { loadClientConfig, loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';

/**
 * Where ferry's processes (worker, CLI, demo, bench, tests) find Temporal. Read in this one
 * place through Temporal's own environment configuration (@temporalio/envconfig), so the
 * TOML profile file and the TEMPORAL_* variables that configure the `temporal` CLI configure
 * ferry the same way: TEMPORAL_CONFIG_FILE (default ~/.config/temporalio/temporal.toml),
 * TEMPORAL_PROFILE (default "default"), then TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 * TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH/_DATA,
 * TEMPORAL_TLS_CLIENT_KEY_PATH/_DATA, TEMPORAL_TLS_SERVER_CA_CERT_PATH/_DATA,
 * TEMPORAL_TLS_SERVER_NAME and TEMPORAL_GRPC_META_* over the profile.
 */
export interface TemporalSettings {
  address: string;
  namespace: string;
  /** The worker's main task queue (FERRY_TASK_QUEUE: ferry's own, not Temporal's). */
  taskQueue: string;
  /** For NativeConnection.connect (worker) and Connection.connect (clients) alike. */
  connection: TemporalConnectionOptions;
  /** Where the settings came from, for messages: e.g. `profile "cloud" of /etc/ferry/temporal.toml`. */
  source: string;
}

export interface TemporalConnectionOptions {
  address: string;
  tls?: boolean | TemporalTls;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalTls {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

const LOCAL_STACK = '127.0.0.1:7233';

export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const { file, profileName } = configFile(env);
  const profile = loadProfile(env, file, profileName);
  const at = (key: string) => (file ? `profile.${profileName ?? 'default'}.${key} in ${file}` : undefined);
  if (env.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION !== undefined) {
    // envconfig parses it but the SDK's TLS has no such switch; ignoring it would surprise.
    throw new Error(
      'TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by ferry: set TEMPORAL_TLS_SERVER_NAME to a name on the server certificate instead',
    );
  }
  const tls = profile.tls;
  let tlsOptions: TemporalConnectionOptions['tls'];
  if (tls?.disabled) {
    tlsOptions = false;
  } else if (tls) {
    const crt = readSource(tls.clientCert, env, 'TEMPORAL_TLS_CLIENT_CERT', at('tls.client_cert_path'));
    const key = readSource(tls.clientKey, env, 'TEMPORAL_TLS_CLIENT_KEY', at('tls.client_key_path'));
    if (!!crt !== !!key) {
      const [has, lacks] = crt
        ? ['client certificate', 'TEMPORAL_TLS_CLIENT_KEY_PATH (tls.client_key_path)']
        : ['client key', 'TEMPORAL_TLS_CLIENT_CERT_PATH (tls.client_cert_path)'];
      throw new Error(`Temporal mTLS needs a client certificate and its key: a ${has} is set but ${lacks} is not`);
    }
    tlsOptions = {
      serverNameOverride: tls.serverName,
      serverRootCACertificate: readSource(tls.serverCACert, env, 'TEMPORAL_TLS_SERVER_CA_CERT', at('tls.server_ca_cert_path')),
      clientCertPair: crt && key ? { crt, key } : undefined,
    };
  } else if (profile.apiKey !== undefined) {
    tlsOptions = true; // an API key is only ever sent over TLS (as the `temporal` CLI does)
  }
  const address = profile.address ?? LOCAL_STACK;
  return {
    address,
    namespace: profile.namespace ?? 'default',
    taskQueue: ferryTaskQueue(env),
    connection: { address, tls: tlsOptions, apiKey: profile.apiKey, metadata: profile.grpcMeta },
    source: file ? `profile "${profileName ?? 'default'}" of ${file}` : 'TEMPORAL_* environment variables',
  };
}

/** The worker's main task queue; the only setting here that is ferry's, not Temporal's. */
export function ferryTaskQueue(env: NodeJS.ProcessEnv = process.env): string {
  return env.FERRY_TASK_QUEUE || 'ferry';
}

/**
 * A connect error with what to check, naming the settings (never their values). A server
 * that requires mTLS closes the connection on an unknown certificate, which clients report
 * only as a reset or a timeout, so the TLS settings are named whenever TLS is on.
 */
export function temporalConnectError(settings: TemporalSettings, err: unknown): Error {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error && messages.length < 4; e = e.cause) messages.push(e.message);
  const message = messages.length ? messages.join(': ') : String(err);
  const { tls, apiKey } = settings.connection;
  const mtls = typeof tls === 'object' && !!tls.clientCertPair;
  let hint: string;
  if (/unauthenticated|authentication credentials|permission.?denied|unauthorized/i.test(message)) {
    hint = `The server refused the credentials: check ${apiKey !== undefined ? "TEMPORAL_API_KEY (the profile's api_key)" : 'the client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)'} and that it grants TEMPORAL_NAMESPACE=${settings.namespace}`;
  } else if (tls) {
    hint =
      `Check that the server listens there and that the TLS settings match it: ` +
      (mtls
        ? 'a client certificate it trusts (TEMPORAL_TLS_CLIENT_CERT_PATH/_KEY_PATH, or tls.client_cert_path/client_key_path; a server requiring mTLS closes the connection on any other), '
        : 'TEMPORAL_TLS_CLIENT_CERT_PATH/_KEY_PATH if it requires mTLS, ') +
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA, TEMPORAL_TLS_SERVER_NAME if its certificate names another host';
  } else {
    hint =
      'Start it (npm run stack:up) or set TEMPORAL_ADDRESS or a profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE); a server that requires TLS needs TEMPORAL_TLS=true, an API key or a client certificate';
  }
  const mode = tls ? (apiKey !== undefined ? 'TLS with an API key' : mtls ? 'mTLS' : 'TLS') : 'plaintext';
  return new Error(`cannot connect to Temporal at ${settings.address} (${mode}, ${settings.source}): ${message}. ${hint}`);
}

function configFile(env: NodeJS.ProcessEnv): { file?: string; profileName?: string } {
  const explicit = env.TEMPORAL_CONFIG_FILE;
  if (explicit && !existsSync(explicit)) throw new Error(`TEMPORAL_CONFIG_FILE=${explicit}: no such file`);
  // The OS default path (~/.config/temporalio/temporal.toml on Linux), as the SDK looks for it.
  const home = env.XDG_CONFIG_HOME || (env.HOME ? `${env.HOME}/.config` : undefined);
  const fallback = home ? `${home}/temporalio/temporal.toml` : undefined;
  const file = explicit || (process.platform !== 'win32' && process.platform !== 'darwin' && fallback && existsSync(fallback) ? fallback : undefined);
  return { file, profileName: env.TEMPORAL_PROFILE || undefined };
}

function loadProfile(env: NodeJS.ProcessEnv, file: string | undefined, profileName: string | undefined): ClientConfigProfile {
  const envVars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  let profiles: string[];
  try {
    profiles = file ? Object.keys(loadClientConfig({ configSource: { path: file } }).profiles) : [];
  } catch (err) {
    throw new Error(`cannot read the Temporal config file ${file} (TEMPORAL_CONFIG_FILE): ${(err as Error).message}`, { cause: err });
  }
  if (profileName && !profiles.includes(profileName)) {
    const known = profiles.length ? `it has ${profiles.join(', ')}` : 'it has no profiles';
    throw new Error(
      `TEMPORAL_PROFILE=${profileName}: no such profile in ${file ?? 'any Temporal config file (set TEMPORAL_CONFIG_FILE)'}${file ? ` (${known})` : ''}`,
    );
  }
  try {
    return loadClientConfigProfile({ configSource: file ? { path: file } : undefined, disableFile: !file, profile: profileName, overrideEnvVars: envVars });
  } catch (err) {
    throw new Error(
      `Temporal connection settings (${file ? `profile ${profileName ?? 'default'} of ${file}` : 'TEMPORAL_* variables'}): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** A certificate or key from a path or inline data; a missing file names its setting. */
function readSource(source: ConfigDataSource | undefined, env: NodeJS.ProcessEnv, variable: string, fileSetting: string | undefined): Buffer | undefined {
  if (!source) return undefined;
  if ('data' in source) return Buffer.from(source.data);
  const setting = env[`${variable}_PATH`] !== undefined ? `${variable}_PATH` : (fileSetting ?? `${variable}_PATH`);
  try {
    return readFileSync(source.path);
  } catch (err) {
    throw new Error(`${setting}=${source.path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}
