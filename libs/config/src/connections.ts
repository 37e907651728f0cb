import type { ClientConfig } from 'pg';
import { ConfigError } from './errors';
import type { Connection, FerryConfig, Named, PostgresConnection, RedshiftConnection } from './schema';
import { pgSslOptions } from './tls';

export { ConfigError } from './errors';

function lookup(config: FerryConfig, name: string): Named {
  const connection = config.connections[name];
  if (!connection) {
    const known = Object.keys(config.connections).sort().join(', ') || 'none';
    throw new ConfigError(
      `unknown connection ${JSON.stringify(name)}: the worker knows ${known}. Add it to the worker's config file (FERRY_CONFIG) or fix the name in the workflow input.`,
    );
  }
  // The name travels with the connection so that TLS and login failures can say which one.
  return { ...connection, name };
}

export function redshiftConnection(config: FerryConfig, name: string): Named<RedshiftConnection> {
  const c = lookup(config, name);
  if (c.kind !== 'redshift')
    throw new ConfigError(`connection ${JSON.stringify(name)} is a ${c.kind} connection; source.connection must name a redshift connection`);
  return c;
}

export function postgresConnection(config: FerryConfig, name: string): Named<PostgresConnection> {
  const c = lookup(config, name);
  if (c.kind !== 'postgres')
    throw new ConfigError(`connection ${JSON.stringify(name)} is a ${c.kind} connection; target.connection must name a postgres connection`);
  return c;
}

/** True when the password is obtained from AWS at login (@ferry/db-auth), not read from the environment. */
export function usesAwsCredentials(c: Connection): boolean {
  return (
    c.passwordSecret !== undefined ||
    (c.kind === 'postgres' && c.iamAuth === true) ||
    (c.kind === 'redshift' && (c.clusterIdentifier !== undefined || c.workgroupName !== undefined))
  );
}

/** A database user and password for one login. */
export interface LoginCredentials {
  user: string;
  password?: string;
}

/**
 * node-postgres settings for a connection: TLS from its sslmode, and the login from
 * `credentials` (what @ferry/db-auth obtained from AWS) or else from `user`/`passwordEnv`.
 */
export function pgClientConfig(c: Named, applicationName: string, env: NodeJS.ProcessEnv = process.env, credentials?: LoginCredentials): ClientConfig {
  if (c.kind === 'redshift' && c.transport === 'data-api') {
    throw new ConfigError(`connection ${JSON.stringify(c.name)} reaches Redshift through the Data API (transport data-api): it has no wire session to open`);
  }
  let login = credentials;
  if (!login) {
    if (usesAwsCredentials(c)) {
      throw new ConfigError(
        `connection ${JSON.stringify(c.name ?? c.host)} logs in with AWS credentials: open it through SessionPools (libs/activities), which logs in through @ferry/db-auth, not with pgClientConfig alone`,
      );
    }
    login = { user: c.user!, password: passwordFromEnv(c, env) };
  }
  return {
    host: c.host,
    port: c.port ?? (c.kind === 'redshift' ? 5439 : 5432),
    database: c.database,
    user: login.user,
    password: login.password,
    // Always explicit: left undefined, node-postgres would read PGSSLMODE on its own terms.
    ssl: pgSslOptions(c, env),
    application_name: applicationName,
    connectionTimeoutMillis: 30_000,
  };
}

function passwordFromEnv(c: Named, env: NodeJS.ProcessEnv): string | undefined {
  if (!c.passwordEnv) return undefined;
  const password = env[c.passwordEnv];
  if (password === undefined) {
    throw new ConfigError(
      `the password variable ${c.passwordEnv} of ${c.name ? `connection ${JSON.stringify(c.name)}` : 'a connection'} is not set in the worker's environment`,
    );
  }
  return password;
}
