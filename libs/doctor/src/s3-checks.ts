import { DeleteObjectCommand, GetBucketLocationCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listObjects } from '@ferry/s3';
import { check, skipped, type Check } from './check';
import type { DoctorFolder } from './redshift-checks';

/** The bucket exists and is where the worker's S3 client looks for it. */
export async function bucketChecks(s3: S3Client, bucket: string): Promise<Check[]> {
  const exists = await check('s3', `bucket ${bucket} exists`, `create the bucket, or set s3.bucket in the worker config to one that exists`, async () => {
    try {
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) throw new Error(`no bucket named ${bucket}`, { cause: err });
      if (status === 403) throw new Error(`the worker may not see ${bucket} (403): allow it s3:ListBucket on the bucket (docs/iam.md)`, { cause: err });
      throw err;
    }
  });
  if (!exists.ok) return [exists, skipped('s3', 'bucket region', `s3: bucket ${bucket} exists`)];
  const expected = await s3.config.region();
  const region = await check(
    's3',
    `bucket region is the worker's (${expected})`,
    `set AWS_REGION for the worker to the bucket's region; keep the bucket in the cluster's region (UNLOAD writes across regions only with REGION, which ferry does not set)`,
    async () => {
      const { LocationConstraint } = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
      // An empty LocationConstraint is us-east-1 (AWS, "GetBucketLocation").
      const actual = LocationConstraint || 'us-east-1';
      if (actual !== expected) throw new Error(`the bucket is in ${actual}`);
      return `in ${actual}`;
    },
  );
  return [exists, region];
}

/**
 * The worker lists, reads and deletes where the UNLOADs wrote (as finalize, loads and cleanup
 * do). The files are the one-row UNLOADs'; without any (every UNLOAD failed), an object the
 * doctor writes itself stands in. Everything in the doctor's folder is removed.
 */
export async function folderChecks(s3: S3Client, into: DoctorFolder): Promise<Check[]> {
  const { bucket, folder } = into;
  const where = `s3://${bucket}/${folder}`;
  let keys: string[] = [];
  const list = await check(
    's3',
    `the worker lists ${where}`,
    `allow the worker's IAM identity s3:ListBucket on ${bucket} for the prefix (docs/iam.md)`,
    async () => {
      keys = [];
      for await (const o of listObjects(s3, bucket, folder)) keys.push(o.key);
      if (keys.length === 0) {
        const key = `${folder}worker-probe`;
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'ferry doctor\n' }));
        keys.push(key);
        return 'no UNLOAD wrote here; listed an object the doctor wrote';
      }
      return `${keys.length} object(s)`;
    },
  );
  if (!list.ok) return [list];
  const data = keys.find((k) => !k.endsWith('manifest')) ?? keys[0];
  const read = await check(
    's3',
    `the worker reads s3://${bucket}/${data}`,
    `allow the worker's IAM identity s3:GetObject on ${bucket}/${folder}* (docs/iam.md)`,
    async () => {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: data }))).Body!.transformToString();
      return `${body.length} bytes`;
    },
  );
  const removed = await check(
    's3',
    `the worker deletes the doctor's files in ${where}`,
    `allow the worker's IAM identity s3:DeleteObject on ${bucket}/${folder}* (docs/iam.md)`,
    async () => {
      for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      return `${keys.length} removed`;
    },
  );
  return [list, read, removed];
}

/** The one data file an UNLOAD wrote under `folder` (not its manifest), for the aws_s3 import check. */
export async function unloadedFile(s3: S3Client, bucket: string, folder: string): Promise<string | undefined> {
  for await (const o of listObjects(s3, bucket, folder)) if (!o.key.endsWith('manifest')) return o.key;
  return undefined;
}
