import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localStackConfig } from '@ferry/config';
import { SOURCE_DB, TARGET_DB } from './databases';

/**
 * The worker's FERRY_CONFIG for the bench: the usual connection names (`redshift`,
 * `postgres`) pointing at the bench's own databases and redshift-local, and a prefix of its
 * own in the staging bucket.
 */
export function writeWorkerConfig(dir: string, redshiftPort: number, maxConcurrentLoads: number): string {
  const config = localStackConfig();
  config.s3.prefix = 'bench/';
  const { redshift, postgres } = config.connections;
  if (redshift.kind !== 'redshift' || postgres.kind !== 'postgres') throw new Error('the local stack config has changed its connections');
  config.connections.redshift = {
    ...redshift,
    host: '127.0.0.1',
    port: redshiftPort,
    database: SOURCE_DB,
    iamRole: 'arn:aws:iam::000000000000:role/ferry-bench-unload',
  };
  // The per-database cap must not be what limits a run's own maxParallelLoads.
  config.connections.postgres = { ...postgres, database: TARGET_DB, maxConcurrentLoads };
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'ferry-config.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
