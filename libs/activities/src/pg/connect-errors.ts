import { ConfigError, RDS_GLOBAL_BUNDLE_URL, connectionLabel, tlsSettings, type Named } from '@ferry/config';
import { AuthFailureType } from '@ferry/db-auth';

export const TlsFailureType = 'DatabaseTlsFailed';

// Node's codes for a certificate chain that does not lead to a trusted CA.
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** True for PostgreSQL's (and Redshift's) answers to a refused password or token. */
export function isLoginRefused(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === '28P01' || (e.code === '28000' && /password|PAM|authentication failed/i.test(e.message ?? ''));
}

/**
 * Connection failures a retry cannot fix — TLS verification, TLS required on one side only,
 * a refused login — as non-retryable errors that name the connection, the setting and the
 * fix. They never quote a password or token: PostgreSQL's messages do not contain them,
 * and only their text is kept. Anything else (the server down, a network blip) stays as it
 * is, retryable.
 */
export function describeConnectError(err: unknown, c: Named): unknown {
  const e = err as { code?: string; message?: string };
  const label = connectionLabel(c);
  const tls = tlsSettings(c);
  const trusted =
    tls.rootcert && tls.rootcert !== 'system' ? `the CA certificates in ${tls.rootcert} (${tls.rootcertFrom})` : "Node's default trust store (no sslrootcert)";
  if (e.code && UNTRUSTED.has(e.code)) {
    return new ConfigError(
      `${label}: the server's TLS certificate is not signed by ${trusted} (${e.code}, sslmode ${tls.mode}). Set sslrootcert to the CA that signed it: for RDS and Aurora the global bundle ${RDS_GLOBAL_BUNDLE_URL}, for your own server its CA's certificate`,
      TlsFailureType,
    );
  }
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new ConfigError(
      `${label}: the server's TLS certificate is not issued for host ${JSON.stringify(c.host)} (${e.message}), and sslmode verify-full checks the name. Connect by a name the certificate holds (for RDS and Aurora the endpoint's DNS name, not an IP address or a CNAME of your own)`,
      TlsFailureType,
    );
  }
  if (e.code === 'CERT_HAS_EXPIRED' || e.code === 'CERT_NOT_YET_VALID') {
    return new ConfigError(
      `${label}: the server's TLS certificate is not valid now (${e.code}): renew it on the server (on RDS, rotate the instance's certificate authority)`,
      TlsFailureType,
    );
  }
  if (/server does not support SSL/i.test(e.message ?? '')) {
    return new ConfigError(
      `${label}: sslmode ${tls.mode} (from ${tls.modeFrom}) needs TLS, but the server does not offer it: turn on ssl on the server, or set sslmode to disable if the network is trusted`,
      TlsFailureType,
    );
  }
  if (e.code === '28000' && /no encryption/i.test(e.message ?? '')) {
    return new ConfigError(
      `${label}: the server accepts only TLS connections (${e.message}), but sslmode is disable (from ${tls.modeFrom}). Set sslmode to verify-full and sslrootcert to the server's CA (for RDS and Aurora the global bundle ${RDS_GLOBAL_BUNDLE_URL})`,
      TlsFailureType,
    );
  }
  if (isLoginRefused(err)) {
    return new ConfigError(`${label}: the server refused the login (${e.message}). ${loginFix(c)}`, AuthFailureType.databaseAuth);
  }
  if (e.code === '3D000') {
    return new ConfigError(`${label}: ${e.message}: fix database in the connection`, AuthFailureType.databaseAuth);
  }
  return err;
}

function loginFix(c: Named): string {
  if (c.kind === 'postgres' && c.iamAuth) {
    return `With iamAuth the user needs \`GRANT rds_iam TO ${c.user}\` in the database and the worker's AWS identity rds-db:connect on arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/${c.user} (docs/iam.md)`;
  }
  if (c.passwordSecret)
    return `The password in passwordSecret ${JSON.stringify(c.passwordSecret)} was fetched again and still refused: correct the secret (its "password" key) or the user`;
  if (c.kind === 'redshift' && (c.clusterIdentifier || c.workgroupName)) {
    return 'Redshift refused its own temporary credentials twice: check that the database user exists (GetClusterCredentials does not create it) and that the identity may log in to this database';
  }
  if (c.passwordEnv) return `Check the password in the worker's ${c.passwordEnv} and the user ${JSON.stringify(c.user)}`;
  return `The connection has no password source: set passwordEnv, passwordSecret or (RDS/Aurora) iamAuth`;
}
