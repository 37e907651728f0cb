import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { S3Location } from './urls';

export interface S3ObjectInfo {
  key: string;
  size: number;
  etag: string;
}

/** Every object under a prefix, page by page, so a huge prefix never sits in memory at once. */
export async function* listObjects(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<S3ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      yield { key: o.Key!, size: o.Size ?? 0, etag: (o.ETag ?? '').replace(/"/g, '') };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/** Deletes every object under a prefix; returns how many were deleted. */
export async function deletePrefix(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let deleted = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const res = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }));
    if (res.Errors?.length) {
      const e = res.Errors[0];
      throw new Error(`could not delete s3://${bucket}/${e.Key}: ${e.Code} ${e.Message}`);
    }
    deleted += batch.length;
    batch = [];
  };
  for await (const o of listObjects(s3, bucket, prefix)) {
    batch.push(o.key);
    if (batch.length === 1000) await flush();
  }
  await flush();
  return deleted;
}

/** The object's body as a Node stream, with its size and ETag. */
export async function getObjectStream(
  s3: S3Client,
  location: S3Location,
  abortSignal?: AbortSignal,
): Promise<{ body: Readable; size: number; etag: string; contentEncoding?: string }> {
  const res = await s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }), { abortSignal });
  return {
    body: res.Body as Readable,
    size: res.ContentLength ?? 0,
    etag: (res.ETag ?? '').replace(/"/g, ''),
    contentEncoding: res.ContentEncoding,
  };
}
