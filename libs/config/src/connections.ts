import type { ClientConfig } from 'pg';
import type { Connection, FerryConfig, PostgresConnection, RedshiftConnection } from './schema';

/** Thrown for configuration a retry cannot fix; activities turn it into a non-retryable failure. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function lookup(config: FerryConfig, name: string): Connection {
  const connection = config.connections[name];
  if (!connection) {
    const known = Object.keys(config.connections).sort().join(', ') || 'none';
    throw new ConfigError(
      `unknown connection ${JSON.stringify(name)}: the worker knows ${known}. Add it to the worker's config file (FERRY_CONFIG) or fix the name in the workflow input.`,
    );
  }
  return connection;
}

export function redshiftConnection(config: FerryConfig, name: string): RedshiftConnection {
  const c = lookup(config, name);
  if (c.kind !== 'redshift') throw new ConfigError(`connection ${JSON.stringify(name)} is a ${c.kind} connection; source.connection must name a redshift connection`);
  return c;
}

export function postgresConnection(config: FerryConfig, name: string): PostgresConnection {
  const c = lookup(config, name);
  if (c.kind !== 'postgres') throw new ConfigError(`connection ${JSON.stringify(name)} is a ${c.kind} connection; target.connection must name a postgres connection`);
  return c;
}

/** node-postgres settings for a connection, with the password read from the environment. */
export function pgClientConfig(c: Connection, applicationName: string, env: NodeJS.ProcessEnv = process.env): ClientConfig {
  let password: string | undefined;
  if (c.passwordEnv) {
    password = env[c.passwordEnv];
    if (password === undefined) {
      throw new ConfigError(`the password variable ${c.passwordEnv} is not set in the worker's environment`);
    }
  }
  return {
    host: c.host,
    port: c.port ?? (c.kind === 'redshift' ? 5439 : 5432),
    database: c.database,
    user: c.user,
    password,
    ssl: c.ssl ? { rejectUnauthorized: true } : undefined,
    application_name: applicationName,
    connectionTimeoutMillis: 30_000,
  };
}
