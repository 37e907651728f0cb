import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ferryConfigSchema, type FerryConfig } from './schema';
import { checkTlsSettings } from './tls';

/**
 * Reads the worker's configuration: the file named by FERRY_CONFIG (JSON, or YAML by its
 * extension, so a pipeline file with `s3` and `connections` serves too: its other keys are
 * ignored here), or, when that is unset, the local stack's defaults (connections `redshift`
 * and `postgres`).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): FerryConfig {
  const file = env.FERRY_CONFIG;
  if (!file) return localStackConfig(env);
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new Error(`cannot read the ferry config file ${file} (FERRY_CONFIG): ${(err as Error).message}`, { cause: err });
  }
  const parsed = ferryConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`the ferry config file ${file} (FERRY_CONFIG) is invalid:\n${issues}`);
  }
  // Certificate files and the PGSSLMODE default are checked now, so a bad one stops the
  // worker at start rather than failing the first run that logs in.
  try {
    checkTlsSettings(parsed.data.connections, env);
  } catch (err) {
    throw new Error(`the ferry config file ${file} (FERRY_CONFIG): ${(err as Error).message}`, { cause: err });
  }
  return parsed.data;
}

/** What `npm run stack:up` provides; see tools/env.sh. */
export function localStackConfig(env: NodeJS.ProcessEnv = process.env): FerryConfig {
  return ferryConfigSchema.parse({
    s3: { bucket: env.FERRY_S3_BUCKET ?? 'ferry-staging', prefix: 'ferry/' },
    connections: {
      redshift: {
        kind: 'redshift',
        host: env.REDSHIFT_LOCAL_HOST ?? '127.0.0.1',
        port: Number(env.REDSHIFT_LOCAL_PORT ?? 5439),
        database: env.FERRY_SOURCE_DB ?? 'ferry_source',
        user: env.PGUSER ?? 'postgres',
        iamRole: 'arn:aws:iam::000000000000:role/ferry-local-unload',
      },
      // The same database through redshift-local's Data API (FERRY_REDSHIFT_DATA_ENDPOINT).
      'redshift-data': {
        kind: 'redshift',
        transport: 'data-api',
        clusterIdentifier: 'redshift-local',
        database: env.FERRY_SOURCE_DB ?? 'ferry_source',
        user: env.PGUSER ?? 'postgres',
        iamRole: 'arn:aws:iam::000000000000:role/ferry-local-unload',
      },
      postgres: {
        kind: 'postgres',
        host: env.PGHOST ?? '127.0.0.1',
        port: Number(env.PGPORT ?? 5432),
        database: env.FERRY_TARGET_DB ?? 'ferry_target',
        user: env.PGUSER ?? 'postgres',
      },
    },
  });
}
