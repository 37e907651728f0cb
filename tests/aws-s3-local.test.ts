import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Client } from 'pg';
import { createS3Client, deletePrefix, s3SettingsFromEnv } from '@ferry/s3';
import { installAwsS3Local } from '../tools/aws-s3-local/install';
import { connect, createDatabase, uniqueName } from './support/databases';
import { stack } from './support/env';

// The local stand-in of RDS's aws_s3 extension (tools/aws-s3-local), called as on RDS.
describe('aws_s3.table_import_from_s3 (local stand-in)', () => {
  const s3 = createS3Client(s3SettingsFromEnv());
  const prefix = `${uniqueName('aws-s3-local')}/`;
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const accessKey = process.env.AWS_ACCESS_KEY_ID ?? 'ferry-local';
  const secretKey = process.env.AWS_SECRET_ACCESS_KEY ?? 'ferry-local-secret';
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let client: Client;

  beforeAll(async () => {
    db = await createDatabase('ferry_awss3');
    await installAwsS3Local(db.name);
    client = await connect(db.name); // after the install: sessions read its settings at start
    await client.query('CREATE TABLE t (id int, txt text)');
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
    await deletePrefix(s3, stack.bucket, prefix);
  });

  // A row each test starts with: a failed import must leave it, and only it.
  const before = { id: 0, txt: 'already there' };
  beforeEach(async () => {
    await client.query('TRUNCATE t');
    await client.query('INSERT INTO t VALUES ($1, $2)', [before.id, before.txt]);
  });

  // UNLOAD's text format: '|' between fields, NULL as \N, a backslash before '|', '\' and
  // line breaks inside values (COPY also reads \t, \r, \n escapes).
  const unloaded = String.raw`1|plain
2|\N
3|\\N
4|a\|b
5|back\\slash
6|tab\there\r\nnewline
7|
8|żółć ☃ 🚢
9|escaped\
line break
`;
  const imported = [
    before,
    { id: 1, txt: 'plain' },
    { id: 2, txt: null },
    { id: 3, txt: '\\N' },
    { id: 4, txt: 'a|b' },
    { id: 5, txt: 'back\\slash' },
    { id: 6, txt: 'tab\there\r\nnewline' },
    { id: 7, txt: '' },
    { id: 8, txt: 'żółć ☃ 🚢' },
    { id: 9, txt: 'escaped\nline break' },
  ];
  const options = String.raw`(format text, delimiter '|', null '\N')`;

  const put = async (name: string, body: Buffer | string, contentEncoding?: string) => {
    const key = `${prefix}${name}`;
    await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body, ContentEncoding: contentEncoding }));
    return key;
  };
  const rows = async () => (await client.query('SELECT id, txt FROM t ORDER BY id')).rows;
  const answer = async (sql: string, params: unknown[]) => (await client.query<{ r: string }>(sql, params)).rows[0].r;
  const failure = async (sql: string, params: unknown[]) => {
    const err = await client.query(sql, params).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    if (!err) throw new Error('the import succeeded');
    return err;
  };
  const byRole = 'SELECT aws_s3.table_import_from_s3($1, $2, $3, $4, $5, $6) AS r';
  const withKeys = (key: string, secret: string) => [key, secret, ''];
  const byKeys = 'SELECT aws_s3.table_import_from_s3($1, $2, $3, aws_commons.create_s3_uri($4, $5, $6), aws_commons.create_aws_credentials($7, $8, $9)) AS r';

  it('has exactly RDS’s signatures', async () => {
    const signatures = await client.query(`
      SELECT p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args, pg_get_function_result(p.oid) AS result
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname IN ('aws_s3', 'aws_commons') AND p.proname NOT LIKE '\\_%'
      ORDER BY 1, 2`);
    expect(signatures.rows).toEqual([
      { name: 'create_aws_credentials', args: 'access_key text, secret_key text, session_token text', result: 'aws_commons._aws_credentials_1' },
      { name: 'create_s3_uri', args: 'bucket text, file_path text, region text', result: 'aws_commons._s3_uri_1' },
      { name: 'table_import_from_s3', args: 'table_name text, column_list text, options text, bucket text, file_path text, region text', result: 'text' },
      {
        name: 'table_import_from_s3',
        args: 'table_name text, column_list text, options text, bucket text, file_path text, region text, access_key text, secret_key text, session_token text',
        result: 'text',
      },
      { name: 'table_import_from_s3', args: 'table_name text, column_list text, options text, s3_info aws_commons._s3_uri_1', result: 'text' },
      {
        name: 'table_import_from_s3',
        args: 'table_name text, column_list text, options text, s3_info aws_commons._s3_uri_1, credentials aws_commons._aws_credentials_1',
        result: 'text',
      },
    ]);
  });

  /** Imports UNLOAD's text (optionally gzip-marked) with `sql`, and checks RDS's answer and the rows. */
  const importsUnloaded = async (name: string, sql: string, params: (key: string) => unknown[], contentEncoding?: 'gzip') => {
    const body = contentEncoding ? gzipSync(unloaded) : Buffer.from(unloaded);
    const key = await put(name, body, contentEncoding);
    expect(await answer(sql, params(key))).toBe(`9 rows imported into relation "t" from file ${key} of ${body.length} bytes`);
    expect(await rows()).toEqual(imported);
  };

  it('imports with s3_info (instance role), round-tripping UNLOAD’s text format, and answers as RDS does', async () => {
    await importsUnloaded(
      's3-info.txt',
      'SELECT aws_s3.table_import_from_s3($1::text, $2::text, $3::text, aws_commons.create_s3_uri($4::text, $5::text, $6::text)) AS r',
      (key) => ['t', '', options, stack.bucket, key, region],
    );
  });

  it('imports with s3_info and credentials', async () => {
    await importsUnloaded('credentials.txt', byKeys, (key) => ['t', '', options, stack.bucket, key, region, ...withKeys(accessKey, secretKey)]);
  });

  it('imports with bucket, file_path and region (instance role), a column list and options written as in RDS’s docs', async () => {
    const body = 'one|1\ntwo|2\n';
    const key = await put('columns.txt', body);
    const r = await answer(byRole, ['t', 'txt, id', `DELIMITER '|'`, stack.bucket, key, region]);
    expect(r).toBe(`2 rows imported into relation "t" from file ${key} of ${body.length} bytes`);
    expect(await rows()).toEqual([before, { id: 1, txt: 'one' }, { id: 2, txt: 'two' }]);
  });

  it('imports with bucket, file_path, region and keys', async () => {
    const sql = 'SELECT aws_s3.table_import_from_s3($1, $2, $3, $4, $5, $6, $7, $8, $9) AS r';
    await importsUnloaded('keys.txt', sql, (key) => ['t', '', options, stack.bucket, key, region, ...withKeys(accessKey, secretKey)]);
  });

  it('decompresses an object whose metadata says Content-Encoding: gzip', async () => {
    await importsUnloaded('marked.gz', byRole, (key) => ['t', '', options, stack.bucket, key, region], 'gzip');
  });

  it('hands a gzip object without Content-Encoding to COPY as it is, which fails as on RDS', async () => {
    const key = await put('unmarked.gz', gzipSync(unloaded));
    const err = await failure(byRole, ['t', '', options, stack.bucket, key, region]);
    expect(err.message).toBe('invalid byte sequence for encoding "UTF8": 0x8b');
    expect(err.code).toBe('22021');
    expect(await rows()).toEqual([before]);
  });

  it('fails on a 0-byte object with RDS’s error', async () => {
    const key = await put('empty.txt', Buffer.alloc(0));
    const err = await failure(byRole, ['t', '', options, stack.bucket, key, region]);
    expect(err.message).toBe('Unable to validate pre-signed URL. Error: HTTP 416. Check your arguments and try again.');
    expect(await rows()).toEqual([before]);
  });

  it('fails on a missing object with RDS’s error', async () => {
    const err = await failure(byRole, ['t', '', options, stack.bucket, `${prefix}no-such-object`, region]);
    expect(err.message).toBe('Unable to validate pre-signed URL. Error: HTTP 404. Requested file does not exist.');
    expect(await rows()).toEqual([before]);
  });

  it.each([
    ['an unknown access key', 'AKIAFERRYNOBODY', secretKey],
    ['a wrong secret key', accessKey, 'not-the-secret'],
  ])('fails with %s, importing nothing', async (_, key, secret) => {
    const object = await put('for-wrong-keys.txt', unloaded);
    const err = await failure(byKeys, ['t', '', options, stack.bucket, object, region, ...withKeys(key, secret)]);
    expect(err.message).toBe(
      'Unable to validate pre-signed URL. Error: HTTP 403. Permission denied. Check bucket or provided credentials as they may no longer be valid.',
    );
    expect(await rows()).toEqual([before]);
  });

  it('fails on a gzip object cut short, importing nothing', async () => {
    const many = Array.from({ length: 200_000 }, (_, i) => `${i + 1}|row ${i + 1}\n`).join('');
    const gz = gzipSync(many);
    const key = await put('cut.gz', gz.subarray(0, Math.floor(gz.length / 2)), 'gzip');
    await expect(client.query(byRole, ['t', '', options, stack.bucket, key, region])).rejects.toThrow(/missing data for column|program .* failed/);
    expect(await rows()).toEqual([before]);
  });

  it('imports inside the caller’s transaction', async () => {
    const key = await put('transaction.txt', unloaded);
    await client.query('CREATE TABLE IF NOT EXISTS ledger (part text)');
    await client.query('TRUNCATE ledger');
    const importAndRecord = async (end: 'ROLLBACK' | 'COMMIT') => {
      await client.query('BEGIN');
      await client.query(byRole, ['t', '', options, stack.bucket, key, region]);
      await client.query('INSERT INTO ledger VALUES ($1)', [key]);
      await client.query(end);
    };

    await importAndRecord('ROLLBACK');
    expect(await rows()).toEqual([before]);
    expect((await client.query('SELECT part FROM ledger')).rows).toEqual([]);

    await importAndRecord('COMMIT');
    expect(await rows()).toEqual(imported);
    expect((await client.query('SELECT part FROM ledger')).rows).toEqual([{ part: key }]);
  });
});
