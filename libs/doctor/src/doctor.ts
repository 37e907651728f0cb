import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadTaskQueue, SessionPools } from '@ferry/activities';
import { postgresConnection, redshiftConnection, type FerryConfig, type TemporalSettings } from '@ferry/config';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import type { Check } from './check';
import { postgresChecks } from './postgres-checks';
import { redshiftChecks } from './redshift-checks';
import { bucketChecks, folderChecks, unloadedFile } from './s3-checks';
import { temporalChecks } from './temporal-checks';

export interface DoctorInput {
  config: FerryConfig;
  /** Temporal as the worker reaches it; without it, Temporal is not checked. */
  temporal?: TemporalSettings;
  taskQueue: string;
  s3?: S3Client;
}

/**
 * Every piece a run needs, checked the way a run uses it: Temporal, the bucket, each Redshift
 * connection (login, catalog, a one-row UNLOAD with its IAM role), each PostgreSQL connection
 * (login with its TLS settings, the staging schema, aws_s3). Writes only the one-row files,
 * which it removes, and what it creates in a database it rolls back.
 */
export async function doctor(input: DoctorInput): Promise<Check[]> {
  const { config, taskQueue } = input;
  const s3 = input.s3 ?? createS3Client(s3SettingsFromEnv());
  const sessions = new SessionPools();
  const names = Object.keys(config.connections).sort();
  const sources = names.filter((n) => config.connections[n].kind === 'redshift').map((n) => redshiftConnection(config, n));
  const targets = names.filter((n) => config.connections[n].kind === 'postgres').map((n) => postgresConnection(config, n));
  const into = { bucket: config.s3.bucket, folder: `${config.s3.prefix}ferry-doctor/${randomUUID()}/` };
  const checks: Check[] = [];
  try {
    if (input.temporal) {
      // The worker polls the main queue for workflows and activities, and one load queue per target.
      const activities = [taskQueue, ...targets.map((t) => loadTaskQueue(taskQueue, t.name!))];
      checks.push(...(await temporalChecks(input.temporal, { workflows: taskQueue, activities })));
    }
    const bucket = await bucketChecks(s3, into.bucket);
    checks.push(...bucket);
    for (const source of sources) checks.push(...(await redshiftChecks(sessions, source, into)));
    const bucketFound = bucket[0].ok;
    const key = bucketFound ? await unloadedFile(s3, into.bucket, into.folder) : undefined;
    for (const target of targets) checks.push(...(await postgresChecks(sessions, s3, target, key ? { bucket: into.bucket, key } : undefined)));
    if (bucketFound) checks.push(...(await folderChecks(s3, into)));
    return checks;
  } finally {
    await sessions.end();
    if (!input.s3) s3.destroy();
  }
}
