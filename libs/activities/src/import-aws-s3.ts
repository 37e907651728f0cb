import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from 'pg';
import type { PostgresConnection } from '@ferry/config';
import { quoteQualified } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { FailureType, nonRetryable } from './failures';
import { columnList, copyOptions } from './import-copy';
import { describeImportError } from './import-errors';
import type { PartImport } from './load-part';
import type { Part, TransferPlan } from './types';

/**
 * Load method `aws_s3`: RDS/Aurora pulls the part from S3 itself
 * (`aws_s3.table_import_from_s3`), so no data passes through the worker.
 */
export async function importWithAwsS3(client: Client, deps: ActivityDeps, connection: PostgresConnection, plan: TransferPlan, part: Part): Promise<PartImport> {
  const etag = plan.unload.compression === 'gzip' ? await markGzip(deps, plan.s3.bucket, part.key) : await etagOf(deps, plan.s3.bucket, part.key);
  const region = await deps.s3.config.region();
  const args = [quoteQualified(plan.target.staging), columnList(plan), copyOptions(), plan.s3.bucket, part.key, region];
  const credentials = awsCredentials(connection);
  const sql = credentials
    ? `SELECT aws_s3.table_import_from_s3($1, $2, $3, aws_commons.create_s3_uri($4, $5, $6), aws_commons.create_aws_credentials($7, $8, $9)) AS result`
    : `SELECT aws_s3.table_import_from_s3($1, $2, $3, aws_commons.create_s3_uri($4, $5, $6)) AS result`;
  let result: string;
  try {
    result = (await client.query<{ result: string }>(sql, credentials ? [...args, ...credentials] : args)).rows[0].result;
  } catch (err) {
    throw describeImportError(err as Error, part);
  }
  return { rows: importedRows(result, part), etag };
}

/**
 * RDS decompresses an object only when its metadata says `Content-Encoding: gzip`, which
 * UNLOAD does not set. A server-side CopyObject onto itself adds it: no data through the
 * worker, and the part's bytes stay the same.
 */
async function markGzip(deps: ActivityDeps, bucket: string, key: string): Promise<string> {
  const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  if (head.ContentEncoding === 'gzip') return (head.ETag ?? '').replace(/"/g, '');
  const copied = await deps.s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: key,
      CopySource: `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
      MetadataDirective: 'REPLACE',
      ContentEncoding: 'gzip',
      ContentType: head.ContentType ?? 'application/octet-stream',
      Metadata: head.Metadata,
    }),
  );
  return (copied.CopyObjectResult?.ETag ?? '').replace(/"/g, '');
}

async function etagOf(deps: ActivityDeps, bucket: string, key: string): Promise<string> {
  const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return (head.ETag ?? '').replace(/"/g, '');
}

/** Keys for the database's own S3 access, when it has no IAM role: from the worker's environment. */
function awsCredentials(connection: PostgresConnection): [string, string, string] | undefined {
  const c = connection.awsS3Credentials;
  if (!c) return undefined;
  const read = (name: string | undefined) => (name ? process.env[name] : '') ?? '';
  const accessKey = read(c.accessKeyIdEnv);
  const secretKey = read(c.secretAccessKeyEnv);
  if (!accessKey || !secretKey) {
    throw nonRetryable(`the worker's environment lacks ${c.accessKeyIdEnv} or ${c.secretAccessKeyEnv}, named by the connection's awsS3Credentials`, FailureType.config);
  }
  return [accessKey, secretKey, read(c.sessionTokenEnv)];
}

/** RDS answers `N rows imported into relation "…" from file … of N bytes`. */
function importedRows(result: string, part: Part): number {
  const match = /^(\d+) rows imported into relation /.exec(result);
  if (!match) throw new Error(`unexpected answer from aws_s3.table_import_from_s3 for part ${part.name}: ${JSON.stringify(result)}`);
  return Number(match[1]);
}
