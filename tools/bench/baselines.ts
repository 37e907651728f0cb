import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { manifestParts } from '@ferry/activities';
import type { Part } from '@ferry/contract';
import { unloadStatement } from '@ferry/redshift';
import { createS3Client, deletePrefix, getObjectStream, s3SettingsFromEnv } from '@ferry/s3';
import { SOURCE_DB, TABLE, TARGET_DB } from './databases';
import type { BenchOptions } from './options';
import { inLanes, run, sh, shell, timed } from './processes';

/**
 * Baseline A, the single-stream limit: PostgreSQL's own COPY out of the source piped into
 * COPY into the target. No files, no compression, one stream; what one connection can do.
 */
export async function baselineA(): Promise<number> {
  const out = `psql -X -v ON_ERROR_STOP=1 -d ${SOURCE_DB} -c ${sh(`COPY ${TABLE} TO STDOUT`)}`;
  const into = `psql -X -q -v ON_ERROR_STOP=1 -d ${TARGET_DB} -c ${sh(`COPY ${TABLE} FROM STDIN`)}`;
  return (await timed(() => shell(`${out} | ${into}`))).ms;
}

export interface LocalParts {
  dir: string;
  /** Decompressed parts, for psql. */
  files: string[];
  /** The objects as unloaded (compressed), and where they stay in S3 until `remove`. */
  objects: string[];
  bucket: string;
  keys: string[];
  compression: 'gzip' | 'none';
  /** Bytes as stored in S3 (compressed) and on disk (decompressed). */
  objectBytes: number;
  rows: number;
}

/**
 * The parts baseline B loads: the same UNLOAD statement ferry builds (same compression,
 * MAXFILESIZE, PARALLEL), run through the bench's redshift-local, then downloaded and
 * decompressed to local disk — so baseline B has no S3, no gunzip and no Temporal in it.
 * The objects stay in S3 (and as downloaded) for the load-stage measurements.
 */
export async function unloadToDisk(
  redshiftPort: number,
  dir: string,
  { compression, maxFileSizeMb, unloadParallel }: Pick<BenchOptions, 'compression' | 'maxFileSizeMb' | 'unloadParallel'>,
): Promise<LocalParts & { folder: string }> {
  const s3 = createS3Client(s3SettingsFromEnv());
  const bucket = process.env.FERRY_S3_BUCKET ?? 'ferry-staging';
  const folder = `bench/baseline-b/${Date.now()}/`;
  const { text: statement } = unloadStatement({
    select: `SELECT aid, bid, abalance, filler FROM ${TABLE}`,
    url: `s3://${bucket}/${folder}`,
    iamRole: 'arn:aws:iam::000000000000:role/ferry-bench-unload',
    compression,
    maxFileSizeMb,
    parallel: unloadParallel,
  });
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(redshiftPort), '-d', SOURCE_DB, '-c', statement]);
  const manifestBody = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${folder}manifest` }))).Body as AsyncIterable<Uint8Array>;
  const manifest = { parts: [] as Part[], rows: 0, bytes: 0 };
  for await (const part of manifestParts(manifestBody, bucket, folder)) {
    manifest.parts.push(part);
    manifest.rows += part.rows;
    manifest.bytes += part.bytes;
  }

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const parts = manifest.parts.filter((p) => p.bytes > 0 && p.rows > 0);
  const objects = await inLanes(parts, 4, async (part) => {
    const file = path.join(dir, `${part.name}.object`);
    await pipeline((await getObjectStream(s3, { bucket, key: part.key })).body, createWriteStream(file));
    return file;
  });
  const files = await inLanes(objects, 4, async (object) => {
    const file = object.replace(/(\.gz)?\.object$/, '.txt');
    await pipeline(createReadStream(object), compression === 'gzip' ? createGunzip() : new PassThrough(), createWriteStream(file));
    return file;
  });
  s3.destroy();
  return { dir, files, objects, bucket, keys: parts.map((p) => p.key), compression, objectBytes: manifest.bytes, rows: manifest.rows, folder };
}

/** Deletes the parts' S3 folder and local files. */
export async function removeParts(parts: LocalParts & { folder: string }): Promise<void> {
  const s3 = createS3Client(s3SettingsFromEnv());
  await deletePrefix(s3, parts.bucket, parts.folder);
  s3.destroy();
  rmSync(parts.dir, { recursive: true, force: true });
}

/**
 * Baseline B, the load-phase limit: the decompressed parts loaded with psql's `\copy` at
 * the parallelism ferry uses, in the text format ferry's COPY reads. One psql per part, as
 * ferry opens one COPY session per part.
 */
export async function baselineB(parts: LocalParts, parallel: number): Promise<number> {
  const load = (file: string) =>
    run('psql', [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      TARGET_DB,
      '-c',
      `\\copy ${TABLE} (aid, bid, abalance, filler) FROM '${file}' WITH (FORMAT text, DELIMITER '|', NULL '\\N')`,
    ]);
  return (await timed(() => inLanes(parts.files, parallel, load))).ms;
}
