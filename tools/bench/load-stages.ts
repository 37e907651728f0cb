import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createS3Client, getObjectStream, s3SettingsFromEnv } from '@ferry/s3';
import { TABLE, TARGET_DB } from './databases';
import { inLanes, timed } from './processes';
import type { LocalParts } from './baselines';

/**
 * ferry's load path rebuilt stage by stage, outside Temporal, to find where the load phase's
 * time goes: the same COPY statement and transaction per part as loadPart, fed from local
 * files or from MinIO, through Node's gunzip with a given output chunk size. Comparing
 * these with baseline B (psql) and with ferry's own load phase splits the cost into
 * streaming through Node, reading S3, and Temporal's scheduling of the part activities.
 */
export interface StreamVariant {
  from: 'disk' | 's3';
  /** zlib's output chunk: each one becomes one CopyData message (two socket writes). */
  chunkKb: number;
}

const COPY = `COPY ${TABLE} (aid, bid, abalance, filler) FROM STDIN WITH (FORMAT text, DELIMITER '|', NULL '\\N')`;

export async function nodeCopy(parts: LocalParts, parallel: number, v: StreamVariant): Promise<number> {
  const s3 = createS3Client(s3SettingsFromEnv());
  const gzip = parts.compression === 'gzip';
  const one = async (i: number) => {
    const client = new Client({
      host: process.env.PGHOST ?? '127.0.0.1',
      port: Number(process.env.PGPORT ?? 5432),
      user: process.env.PGUSER ?? 'postgres',
      database: TARGET_DB,
    });
    await client.connect();
    try {
      await client.query('BEGIN');
      const body: Readable =
        v.from === 'disk'
          ? createReadStream(parts.objects[i], { highWaterMark: 64 * 1024 })
          : (await getObjectStream(s3, { bucket: parts.bucket, key: parts.keys[i] })).body;
      await pipeline(body, gzip ? createGunzip({ chunkSize: v.chunkKb * 1024 }) : new PassThrough(), client.query(copyFrom(COPY)));
      await client.query('COMMIT');
    } finally {
      await client.end();
    }
  };
  const { ms } = await timed(() => inLanes([...parts.keys.keys()], parallel, one));
  s3.destroy();
  return ms;
}
