import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Client } from 'pg';
import { createS3Client, listObjects, s3SettingsFromEnv } from '@ferry/s3';
import { installRedshiftTypes } from '../src/install';
import { startRedshiftLocal } from '../src/server';

export const exec = promisify(execFile);
export const s3 = createS3Client(s3SettingsFromEnv());
export const bucket = process.env.FERRY_S3_BUCKET ?? 'ferry-staging';
const pg = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres' };

/** A redshift-local on a free port in front of a throwaway database. */
export async function redshiftLocal(extra: { testPartBytes?: number; dataApiPort?: number } = {}) {
  const database = `rl_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ ...pg, database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await installRedshiftTypes(database);
  const server = await startRedshiftLocal({ port: 0, backendHost: pg.host, backendPort: pg.port, slices: 4, log: () => undefined, ...extra });
  const clients: Client[] = [];
  return {
    database,
    port: server.port,
    dataApiPort: server.dataApiPort,
    admin,
    /** A client of redshift-local, collecting its notices. */
    async connect() {
      const client = new Client({ host: '127.0.0.1', port: server.port, user: pg.user, database });
      const notices: string[] = [];
      client.on('notice', (n) => notices.push(`${n.severity}: ${n.message}`));
      // DROP DATABASE … WITH (FORCE) at the end ends any session still open: not a test failure.
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return Object.assign(client, { notices });
    },
    async close() {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await server.close();
      // Bounded: a backend elsewhere on the server that never absorbs DROP DATABASE's barrier
      // would otherwise hang the suite; the leftover database is then named in the output.
      await admin.query(`SET statement_timeout = '60s'`);
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch((err: Error) => console.warn(`could not drop ${database}: ${err.message}`));
      await admin.end();
    },
  };
}

export const uniquePrefix = (name: string) => `redshift-local-tests/${name}-${randomBytes(4).toString('hex')}/`;

export async function keys(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of listObjects(s3, bucket, prefix)) out.push(o.key.slice(prefix.length));
  return out.sort();
}

export async function object(key: string): Promise<Buffer> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

export async function text(key: string): Promise<string> {
  const bytes = await object(key);
  if (key.endsWith('.gz')) return gunzipSync(bytes).toString();
  if (key.endsWith('.zst')) return spawnSync('zstd', ['-dc'], { input: bytes }).stdout.toString();
  if (key.endsWith('.bz2')) return spawnSync('bzip2', ['-dc'], { input: bytes }).stdout.toString();
  return bytes.toString();
}
