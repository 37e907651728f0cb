import { CopyObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from 'pg';
import type { PostgresConnection } from '@ferry/config';
import { importFromS3, type RegisteredPartRow, type S3Object } from '@ferry/postgres';
import type { ActivityDeps } from './deps';
import { FailureType, nonRetryable } from './failures';
import type { PartImport } from './part-import';
import type { ResolvedLoad } from '@ferry/contract';

/**
 * Load method `aws_s3`: RDS/Aurora pulls the part from S3 itself
 * (`aws_s3.table_import_from_s3`), so no data passes through the worker.
 */
export async function importWithAwsS3(
  client: Client,
  deps: ActivityDeps,
  connection: PostgresConnection,
  load: ResolvedLoad,
  part: RegisteredPartRow,
): Promise<PartImport> {
  const object = load.compression === 'gzip' ? await markGzip(deps, load.bucket, part.key) : await headOf(deps, load.bucket, part.key);
  const region = await deps.s3.config.region();
  const credentials = awsCredentials(connection);
  const result = await importFromS3(client, load, { bucket: load.bucket, key: part.key, region, ...(credentials && { credentials }) });
  return { rows: importedRows(result, part), ...object };
}

/** The metadata key under which markGzip keeps the ETag the object had as UNLOAD wrote it. */
const UNLOADED_ETAG = 'ferry-unloaded-etag';

/**
 * RDS decompresses an object only when its metadata says `Content-Encoding: gzip`, which
 * UNLOAD does not set. A server-side CopyObject onto itself adds it: no data through the
 * worker, and the part's bytes stay the same. The copy may get a new ETag (S3 gives a
 * multipart upload's copy the plain MD5), so the ETag UNLOAD wrote is kept in the metadata:
 * the manifest proof compares the listing taken after the UNLOAD with either of the two.
 */
async function markGzip(deps: ActivityDeps, bucket: string, key: string): Promise<Pick<PartImport, 'bytes' | 'etag' | 'markedEtag'>> {
  const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = head.ContentLength ?? 0;
  if (head.ContentEncoding === 'gzip') {
    const current = plainEtag(head.ETag);
    return { bytes, etag: head.Metadata?.[UNLOADED_ETAG] ?? current, markedEtag: current };
  }
  const copied = await deps.s3.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: key,
      CopySource: `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
      MetadataDirective: 'REPLACE',
      ContentEncoding: 'gzip',
      ContentType: head.ContentType ?? 'application/octet-stream',
      Metadata: { ...head.Metadata, [UNLOADED_ETAG]: plainEtag(head.ETag) },
    }),
  );
  return { bytes, etag: plainEtag(head.ETag), markedEtag: plainEtag(copied.CopyObjectResult?.ETag) };
}

async function headOf(deps: ActivityDeps, bucket: string, key: string): Promise<Pick<PartImport, 'bytes' | 'etag'>> {
  const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { bytes: head.ContentLength ?? 0, etag: plainEtag(head.ETag) };
}

const plainEtag = (etag: string | undefined) => (etag ?? '').replace(/"/g, '');

/** Keys for the database's own S3 access, when it has no IAM role: from the worker's environment. */
export function awsCredentials(connection: PostgresConnection): S3Object['credentials'] {
  const c = connection.awsS3Credentials;
  if (!c) return undefined;
  const read = (name: string | undefined) => (name ? process.env[name] : '') ?? '';
  const accessKey = read(c.accessKeyIdEnv);
  const secretKey = read(c.secretAccessKeyEnv);
  if (!accessKey || !secretKey) {
    throw nonRetryable(
      `the worker's environment lacks ${c.accessKeyIdEnv} or ${c.secretAccessKeyEnv}, named by the connection's awsS3Credentials`,
      FailureType.config,
    );
  }
  return { accessKeyId: accessKey, secretAccessKey: secretKey, sessionToken: read(c.sessionTokenEnv) };
}

/** RDS answers `N rows imported into relation "…" from file … of N bytes`. */
function importedRows(result: string, part: RegisteredPartRow): number {
  const match = /^(\d+) rows imported into relation /.exec(result);
  if (!match) throw new Error(`unexpected answer from aws_s3.table_import_from_s3 for part ${part.name}: ${JSON.stringify(result)}`);
  return Number(match[1]);
}
