import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Client as PgClient } from 'pg';
import { createS3Client, s3SettingsFromEnv } from '@ferry/s3';
import { installAwsS3Local } from './support/aws-s3-local';
import { connect, createDatabase, uniqueName } from './support/databases';
import { stack } from './support/env';

// The local stand-in of RDS's aws_s3 extension, called exactly as on RDS.
describe('aws_s3.table_import_from_s3 (local stand-in)', () => {
  const s3 = createS3Client(s3SettingsFromEnv());
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let client: PgClient;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const key = process.env.AWS_ACCESS_KEY_ID!;
  const secret = process.env.AWS_SECRET_ACCESS_KEY!;

  beforeAll(async () => {
    db = await createDatabase('ferry_awss3');
    await installAwsS3Local(db.name);
    client = await connect(db.name);
    await client.query(`CREATE TABLE t (id int, txt text)`);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });
  beforeEach(() => client.query('TRUNCATE t'));

  const put = async (body: Buffer | string, contentEncoding?: string) => {
    const objectKey = `aws-s3-local-tests/${uniqueName('part')}`;
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: objectKey, Body: body, ContentEncoding: contentEncoding }));
    return objectKey;
  };
  const rows = async () => (await client.query('SELECT id, txt FROM t ORDER BY id')).rows;
  const text = '1|a\\|b\n2|\\N\n3|back\\\\slash\n';
  const expected = [
    { id: 1, txt: 'a|b' },
    { id: 2, txt: null },
    { id: 3, txt: 'back\\slash' },
  ];
  const options = `(format text, delimiter '|', null '\\N')`;

  it('imports with s3_info from create_s3_uri, answering as RDS does', async () => {
    const k = await put(text);
    const res = await client.query(`SELECT aws_s3.table_import_from_s3('t', 'id, txt', $1, aws_commons.create_s3_uri($2, $3, $4)) AS r`, [options, stack.bucket, k, region]);
    expect(res.rows[0].r).toBe(`3 rows imported into relation "t" from file ${k} of ${Buffer.byteLength(text)} bytes`);
    expect(await rows()).toEqual(expected);
  });

  it('imports with s3_info and create_aws_credentials', async () => {
    const k = await put(text);
    const res = await client.query(
      `SELECT aws_s3.table_import_from_s3('t', '', $1, aws_commons.create_s3_uri($2, $3, $4), aws_commons.create_aws_credentials($5, $6, ''))  AS r`,
      [options, stack.bucket, k, region, key, secret],
    );
    expect(res.rows[0].r).toMatch(/^3 rows imported into relation "t" from file /);
  });

  it('imports with bucket, file_path and region as text', async () => {
    const k = await put(text);
    const res = await client.query(`SELECT aws_s3.table_import_from_s3('t', 'id,txt', $1, $2, $3, $4) AS r`, [options, stack.bucket, k, region]);
    expect(res.rows[0].r).toMatch(/^3 rows imported/);
    expect(await rows()).toEqual(expected);
  });

  it('imports with bucket, file_path, region and keys as text', async () => {
    const k = await put(text);
    const res = await client.query(`SELECT aws_s3.table_import_from_s3('t', 'id,txt', $1, $2, $3, $4, $5, $6, $7) AS r`, [options, stack.bucket, k, region, key, secret, '']);
    expect(res.rows[0].r).toMatch(/^3 rows imported/);
  });

  it('decompresses gzip objects marked Content-Encoding: gzip', async () => {
    const k = await put(gzipSync(text), 'gzip');
    await client.query(`SELECT aws_s3.table_import_from_s3('t', '', $1, $2, $3, $4)`, [options, stack.bucket, k, region]);
    expect(await rows()).toEqual(expected);
  });

  it('fails, as RDS does, on gzip objects without Content-Encoding', async () => {
    const k = await put(gzipSync(text));
    await expect(client.query(`SELECT aws_s3.table_import_from_s3('t', '', $1, $2, $3, $4)`, [options, stack.bucket, k, region])).rejects.toThrow(/invalid byte sequence for encoding "UTF8"/);
    expect(await rows()).toEqual([]);
  });

  it('fails on 0-byte objects, a missing object and wrong credentials, importing nothing', async () => {
    const empty = await put('');
    await expect(client.query(`SELECT aws_s3.table_import_from_s3('t', '', $1, $2, $3, $4)`, [options, stack.bucket, empty, region])).rejects.toThrow(/is empty \(0 bytes\)/);
    await expect(client.query(`SELECT aws_s3.table_import_from_s3('t', '', $1, $2, $3, $4)`, [options, stack.bucket, 'no/such/object', region])).rejects.toThrow(
      'HTTP 404. Requested file does not exist.',
    );
    const k = await put(text);
    await expect(client.query(`SELECT aws_s3.table_import_from_s3('t', '', $1, $2, $3, $4, 'nobody', 'wrong', '')`, [options, stack.bucket, k, region])).rejects.toThrow(
      'HTTP 403. Permission denied. Check bucket or provided credentials as they may no longer be valid.',
    );
    expect(await rows()).toEqual([]);
  });

  it('imports inside the caller’s transaction', async () => {
    const k = await put(text);
    await client.query('BEGIN');
    await client.query(`SELECT aws_s3.table_import_from_s3('t', '', $1, $2, $3, $4)`, [options, stack.bucket, k, region]);
    await client.query('ROLLBACK');
    expect(await rows()).toEqual([]);
  });
});
