import { postgresConnection, type PostgresConnection } from '@ferry/config';
import { parseQualifiedName, type QualifiedName } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { FailureType, nonRetryable } from './failures';
import { stagingTableFor } from '@ferry/postgres';

/** Where everything of one target lives: its staging table and its S3 folder, which holds a folder per run. */
export interface TargetLocations {
  connection: PostgresConnection;
  table: QualifiedName;
  staging: QualifiedName;
  bucket: string;
  /** `prefix/<schema>.<table>/` */
  folder: string;
}

export function locateTarget(
  deps: Pick<ActivityDeps, 'config'>,
  target: { connection: string; table: string },
  s3: { bucket?: string; prefix?: string } = {},
): TargetLocations {
  const connection = postgresConnection(deps.config, target.connection);
  const table = parseName(target.table, 'target.table');
  const base = s3.prefix ?? deps.config.s3.prefix;
  const prefix = base && !base.endsWith('/') ? `${base}/` : base;
  return {
    connection,
    table,
    staging: stagingTableFor(table, connection.stagingSchema),
    bucket: s3.bucket ?? deps.config.s3.bucket,
    folder: `${prefix}${table.schema}.${table.name}/`,
  };
}

/** A run's own folder under its target's: every attempt's UNLOAD writes below it. */
export const runFolder = (where: Pick<TargetLocations, 'folder'>, runId: string) => `${where.folder}${runId}/`;

export function parseName(text: string, field: string): QualifiedName {
  try {
    return parseQualifiedName(text);
  } catch (err) {
    throw nonRetryable(`${field}: ${(err as Error).message}`, FailureType.invalidInput);
  }
}
