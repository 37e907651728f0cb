import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SOURCE_DB, TARGET_DB } from './databases';

/**
 * The worker's FERRY_CONFIG for the bench: the usual connection names (`redshift`,
 * `postgres`) pointing at the bench's own databases and redshift-local, and a prefix of its
 * own in the staging bucket.
 */
export function writeWorkerConfig(dir: string, redshiftPort: number, maxConcurrentLoads: number): string {
  const env = process.env;
  const config = {
    s3: { bucket: env.FERRY_S3_BUCKET ?? 'ferry-staging', prefix: 'bench/' },
    connections: {
      redshift: {
        kind: 'redshift',
        host: '127.0.0.1',
        port: redshiftPort,
        database: SOURCE_DB,
        user: env.PGUSER ?? 'postgres',
        iamRole: 'arn:aws:iam::000000000000:role/ferry-bench-unload',
      },
      postgres: {
        kind: 'postgres',
        host: env.PGHOST ?? '127.0.0.1',
        port: Number(env.PGPORT ?? 5432),
        database: TARGET_DB,
        user: env.PGUSER ?? 'postgres',
        // The per-database cap must not be what limits a run's own maxParallelLoads.
        maxConcurrentLoads,
      },
    },
  };
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'ferry-config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
