import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from './errors';
import { connectionLabel } from './label';
import type { Connection, Named } from './schema';
import { SSL_MODES, type SslMode } from './ssl-modes';

export const RDS_GLOBAL_BUNDLE_URL = 'https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem';

/** A connection's TLS settings after defaults, and which setting each came from (for messages). */
export interface TlsSettings {
  mode: SslMode;
  modeFrom: string;
  /** A PEM file path, or undefined / 'system' for Node's trust store. */
  rootcert?: string;
  rootcertFrom?: string;
}

/**
 * libpq's precedence: the connection's own `sslmode`/`sslrootcert`, else the worker's
 * PGSSLMODE/PGSSLROOTCERT, else no TLS. The legacy `ssl: true` is `verify-full` against the
 * system trust store, which is exactly what it meant before sslmode existed.
 */
export function tlsSettings(c: Named, env: NodeJS.ProcessEnv = process.env): TlsSettings {
  const key = (k: string) => (c.name ? `connections.${c.name}.${k}` : k);
  let mode: SslMode;
  let modeFrom: string;
  if (c.sslmode) [mode, modeFrom] = [c.sslmode, key('sslmode')];
  else if (c.ssl !== undefined) [mode, modeFrom] = [c.ssl ? 'verify-full' : 'disable', key('ssl')];
  else if (env.PGSSLMODE) {
    if (!(SSL_MODES as readonly string[]).includes(env.PGSSLMODE)) {
      throw new ConfigError(
        `PGSSLMODE=${env.PGSSLMODE} in the worker's environment is not an sslmode ferry supports: use disable, require, verify-ca or verify-full, or set sslmode on each connection`,
      );
    }
    [mode, modeFrom] = [env.PGSSLMODE as SslMode, 'PGSSLMODE'];
  } else [mode, modeFrom] = ['disable', 'the default'];
  if (c.sslrootcert) return { mode, modeFrom, rootcert: c.sslrootcert, rootcertFrom: key('sslrootcert') };
  if (env.PGSSLROOTCERT && c.ssl === undefined) return { mode, modeFrom, rootcert: env.PGSSLROOTCERT, rootcertFrom: 'PGSSLROOTCERT' };
  return { mode, modeFrom };
}

/** node-postgres's `ssl` option for a connection: false, or the TLS options that implement its sslmode. */
export function pgSslOptions(c: Named, env: NodeJS.ProcessEnv = process.env): false | ConnectionOptions {
  const tls = tlsSettings(c, env);
  if (tls.mode === 'disable') return false;
  const ca = tls.rootcert && tls.rootcert !== 'system' ? readRootCert(tls.rootcert, tls.rootcertFrom!, c) : undefined;
  // As in libpq: `require` with a root certificate given verifies the chain like verify-ca.
  if (tls.mode === 'require' && !ca) return { rejectUnauthorized: false };
  if (tls.mode === 'verify-full') return { ca, rejectUnauthorized: true };
  // verify-ca: the chain must lead to a trusted CA; the host name is not compared.
  return { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
}

/** Reads and checks a root certificate file; a problem names the setting and the fix. */
export function readRootCert(file: string, setting: string, c: Connection | Named): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `${setting}: cannot read ${file} for ${connectionLabel(c)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Point it at a PEM file of CA certificates; for RDS and Aurora download ${RDS_GLOBAL_BUNDLE_URL}`,
    );
  }
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem);
  let valid = false;
  if (first) {
    try {
      new X509Certificate(first[0]);
      valid = true;
    } catch {
      valid = false;
    }
  }
  if (!valid) {
    throw new ConfigError(
      `${setting}: ${file} holds no PEM certificate (for ${connectionLabel(c)}). It must contain "-----BEGIN CERTIFICATE-----" blocks; for RDS and Aurora download ${RDS_GLOBAL_BUNDLE_URL}`,
    );
  }
  return pem;
}

/**
 * Everything about TLS that can be wrong before a connection is made: called when the config
 * is loaded, so a bad sslmode or a missing sslrootcert stops the worker at start.
 */
export function checkTlsSettings(connections: Record<string, Connection>, env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, c] of Object.entries(connections)) {
    const named = { ...c, name };
    const tls = tlsSettings(named, env);
    if (tls.mode !== 'disable' && tls.rootcert && tls.rootcert !== 'system') readRootCert(tls.rootcert, tls.rootcertFrom!, named);
    if (c.kind === 'postgres' && c.iamAuth && tls.mode === 'disable') {
      throw new ConfigError(
        `connections.${name}.iamAuth: IAM authentication needs TLS (RDS refuses tokens over plaintext), but sslmode is disable (from ${tls.modeFrom}): set sslmode to verify-full and sslrootcert to the RDS global bundle (${RDS_GLOBAL_BUNDLE_URL})`,
      );
    }
  }
}
