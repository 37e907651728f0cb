import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { from as copyFrom } from 'pg-copy-streams';
import { CONFLICTS, REQUIREMENTS } from '../src/unload/options';
import { bucket, keys, object, redshiftLocal, text, uniquePrefix } from './support';

type RL = Awaited<ReturnType<typeof redshiftLocal>>;

describe('UNLOAD through redshift-local', () => {
  let rl: RL;
  let db: Awaited<ReturnType<RL['connect']>>;
  const role = `IAM_ROLE 'arn:aws:iam::123456789012:role/unload'`;

  beforeAll(async () => {
    rl = await redshiftLocal();
    db = await rl.connect();
    await db.query(`CREATE TABLE venue (id int, name varchar(30), city text, cap numeric(10,2), open boolean, at timestamp, atz timestamptz)`);
    await db.query(`INSERT INTO venue VALUES
      (1, 'Air Canada Centre', 'Toronto', 19800.5, true, '2024-01-02 03:04:05.120', '2024-01-02 03:04:05+02'),
      (2, 'Pipe|Hall', 'New
York', NULL, false, '2024-01-02 03:04:05', NULL),
      (3, '', NULL, 0, NULL, NULL, '1999-12-31 23:59:59.999999+00'),
      (4, 'Quote "Q" Arena', 'back\\slash', 1, true, '2000-01-01', '2000-01-01 00:00:00-08')`);
  });
  afterAll(async () => {
    await rl?.close();
  });

  const unload = async (query: string, prefix: string, options: string) => {
    db.notices.length = 0;
    await db.query(`UNLOAD ('${query.replace(/'/g, "''")}') TO 's3://${bucket}/${prefix}' ${options}`);
    return [...db.notices];
  };
  const all = async (prefix: string) => (await Promise.all((await keys(prefix)).filter((k) => k !== 'manifest').map((k) => text(prefix + k)))).join('');
  const sortedLines = (s: string) => s.split('\n').filter(Boolean).sort();

  it('writes pipe-delimited files per slice as Redshift formats values, with an INFO notice', async () => {
    const p = uniquePrefix('default');
    const notices = await unload('select * from venue order by id', p, role);
    expect(notices).toEqual(['INFO: UNLOAD completed, 4 record(s) unloaded successfully.']);
    expect(await keys(p)).toEqual(['0000_part_00', '0001_part_00', '0002_part_00', '0003_part_00']);
    expect(sortedLines(await all(p))).toEqual(
      sortedLines(`1|Air Canada Centre|Toronto|19800.50|t|2024-01-02 03:04:05.12|2024-01-02 01:04:05+00
2|Pipe|Hall|New
York||f|2024-01-02 03:04:05|
3|||0.00|||1999-12-31 23:59:59.999999+00
4|Quote "Q" Arena|back\\slash|1.00|t|2000-01-01 00:00:00|2000-01-01 08:00:00+00
`),
    );
  });

  it('escapes with ESCAPE and writes NULL AS, so every value can be read back', async () => {
    const p = uniquePrefix('escape');
    await unload('select id, name, city from venue', p, `${role} ESCAPE NULL AS '\\\\N' DELIMITER AS '|'`);
    expect(sortedLines(await all(p))).toEqual(sortedLines('1|Air Canada Centre|Toronto\n2|Pipe\\|Hall|New\\\nYork\n3||\\N\n4|Quote "Q" Arena|back\\\\slash\n'));
  });

  it('writes CSV with HEADER, quoting as AWS documents', async () => {
    const p = uniquePrefix('csv');
    await unload('select id, name, city from venue where id in (2, 4)', p, `${role} FORMAT AS CSV HEADER PARALLEL OFF`);
    expect(await keys(p)).toEqual(['000']);
    expect(await text(`${p}000`)).toMatch(/^id,name,city\n/);
    expect(await all(p)).toContain('2,Pipe|Hall,"New\nYork"\n');
    expect(await all(p)).toContain('4,"Quote ""Q"" Arena",back\\slash\n');
  });

  it('puts quotes around fields with ADDQUOTES and uses another DELIMITER', async () => {
    const p = uniquePrefix('addquotes');
    await unload('select id, name from venue where id = 1', p, `${role} ADDQUOTES DELIMITER ',' PARALLEL FALSE`);
    expect(await text(`${p}000`)).toBe('"1","Air Canada Centre"\n');
  });

  it.each([
    ['GZIP', '.gz'],
    ['ZSTD', '.zst'],
    ['BZIP2', '.bz2'],
  ])('compresses with %s into %s files', async (option, suffix) => {
    const p = uniquePrefix(option.toLowerCase());
    await unload('select id from venue', p, `${role} ${option}`);
    expect(await keys(p)).toEqual([0, 1, 2, 3].map((s) => `000${s}_part_00${suffix}`));
    expect(sortedLines(await all(p))).toEqual(['1', '2', '3', '4']);
  });

  it('names files with EXTENSION and splits them at MAXFILESIZE', async () => {
    const p = uniquePrefix('maxfilesize');
    await unload(
      'select g, repeat(md5(g::text), 4) from generate_series(1, 90000) g',
      p,
      `${role} PARALLEL OFF MAXFILESIZE 5 MB EXTENSION 'csv' DELIMITER ','`,
    );
    const names = await keys(p);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.slice(0, 2)).toEqual(['000.csv', '001.csv']);
    for (const name of names) expect((await object(p + name)).length).toBeLessThanOrEqual(5 * 1024 * 1024);
    expect((await object(`${p}000.csv`)).length).toBeGreaterThan(5 * 1024 * 1024 - 200); // filled up to the limit
    expect((await all(p)).split('\n').filter(Boolean)).toHaveLength(90000);
  });

  it('test-only testPartBytes: tiny parts instead of MAXFILESIZE, every row once, the manifest listing them all', async () => {
    const tiny = await redshiftLocal({ testPartBytes: 64 });
    try {
      const c = await tiny.connect();
      await c.query(`CREATE TABLE many AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 400) g`);
      const p = uniquePrefix('tiny');
      await c.query(`UNLOAD ('select * from many') TO 's3://${bucket}/${p}' ${role} MANIFEST VERBOSE ESCAPE`);
      const parts = (await keys(p)).filter((k) => k !== 'manifest');
      // Each 37-byte record fills a part of 64 bytes in two: about 200 parts over 4 slices.
      expect(parts.length).toBeGreaterThanOrEqual(190);
      const lines = (await Promise.all(parts.map((k) => text(p + k)))).join('').split('\n').filter(Boolean);
      expect(lines.sort()).toEqual(
        Array.from({ length: 400 }, (_, i) => i + 1)
          .map((g) => `${g}|${createHash('md5').update(String(g)).digest('hex')}`)
          .sort(),
      );
      const manifest = JSON.parse(await text(`${p}manifest`)) as { entries: unknown[]; meta: { record_count: number } };
      expect([manifest.entries.length, manifest.meta.record_count]).toEqual([parts.length, 400]);
    } finally {
      await tiny.close();
    }
  });

  it('writes MANIFEST and MANIFEST VERBOSE as Redshift does', async () => {
    const plain = uniquePrefix('manifest');
    await unload('select id from venue', plain, `${role} MANIFEST`);
    expect(JSON.parse((await object(`${plain}manifest`)).toString())).toEqual({
      entries: [0, 1, 2, 3].map((s) => ({ url: `s3://${bucket}/${plain}000${s}_part_00` })),
    });
    const verbose = uniquePrefix('verbose');
    await unload('select id, name, cap, atz from venue', verbose, `${role} MANIFEST VERBOSE GZIP`);
    const m = JSON.parse((await object(`${verbose}manifest`)).toString());
    expect(m.entries).toHaveLength(4);
    expect(m.entries.reduce((n: number, e: { meta: { record_count: number } }) => n + e.meta.record_count, 0)).toBe(4);
    expect(m.meta.record_count).toBe(4);
    expect(m.meta.content_length).toBe(m.entries.reduce((n: number, e: { meta: { content_length: number } }) => n + e.meta.content_length, 0));
    for (const e of m.entries) expect((await object(e.url.slice(`s3://${bucket}/`.length))).length).toBe(e.meta.content_length);
    expect(m.schema.elements).toEqual([
      { name: 'id', type: { base: 'integer' } },
      { name: 'name', type: { base: 'character varying', max_length: 30 } },
      { name: 'cap', type: { base: 'numeric', precision: 10, scale: 2 } },
      { name: 'atz', type: { base: 'timestamp with time zone' } },
    ]);
    expect(m.author).toEqual({ name: 'Amazon Redshift', version: '1.0.0' });
  });

  it('refuses a destination that is not empty, unless ALLOWOVERWRITE or CLEANPATH', async () => {
    const p = uniquePrefix('nonempty');
    await unload('select id from venue', p, `${role} PARALLEL OFF`);
    await expect(unload('select id from venue', p, `${role} PARALLEL OFF`)).rejects.toThrow(
      'Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.',
    );
    expect(await keys(p)).toEqual(['000']); // nothing written by the refused UNLOAD
    await unload('select 1', p, `${role} PARALLEL OFF ALLOWOVERWRITE`);
    expect(await text(`${p}000`)).toBe('1\n');
    await unload('select 2', `${p}`, `${role} CLEANPATH`);
    expect(await keys(p)).toEqual(['0000_part_00', '0001_part_00', '0002_part_00', '0003_part_00']);
  });

  it('writes with explicit keys, and fails like S3 with wrong ones', async () => {
    const p = uniquePrefix('keys');
    await unload('select 1', p, `ACCESS_KEY_ID '${process.env.AWS_ACCESS_KEY_ID}' SECRET_ACCESS_KEY '${process.env.AWS_SECRET_ACCESS_KEY}' PARALLEL OFF`);
    expect(await keys(p)).toEqual(['000']);
    await expect(unload('select 1', uniquePrefix('badkeys'), `CREDENTIALS 'aws_access_key_id=nobody;aws_secret_access_key=wrong'`)).rejects.toThrow(
      /^S3ServiceException:.*,Status 403,Error InvalidAccessKeyId,Rid /,
    );
    await expect(
      unload('select 1', uniquePrefix('badsecret'), `ACCESS_KEY_ID '${process.env.AWS_ACCESS_KEY_ID}' SECRET_ACCESS_KEY 'wrong' SESSION_TOKEN 'token'`),
    ).rejects.toThrow(/^S3ServiceException:.*,Status 403,Error (SignatureDoesNotMatch|InvalidAccessKeyId|InvalidTokenId),Rid /);
    const p2 = uniquePrefix('credrole');
    await unload('select 1', p2, `CREDENTIALS 'aws_iam_role=arn:aws:iam::1:role/r' REGION 'us-east-1' PARALLEL OFF`);
    expect(await keys(p2)).toEqual(['000']);
  });

  it("fails with S3's error when the bucket does not exist", async () => {
    const err = await db.query(`UNLOAD ('select 1') TO 's3://no-such-bucket-${Date.now()}/p/' ${role}`).catch((e: Error & { detail?: string }) => e);
    expect((err as Error).message).toMatch(/^S3ServiceException:The specified bucket does not exist,Status 404,Error NoSuchBucket,Rid /);
    expect((err as { detail?: string }).detail).toMatch(/^context: Listing bucket=no-such-bucket-/);
  });

  it('reports option conflicts and syntax errors as errors, writing nothing', async () => {
    const p = uniquePrefix('conflict');
    await expect(unload('select 1', p, `${role} ALLOWOVERWRITE CLEANPATH`)).rejects.toThrow("UNLOAD: you can't use ALLOWOVERWRITE with CLEANPATH");
    await expect(unload('select 1', p, `${role} FIXEDWIDTH '0:1' HEADER`)).rejects.toThrow("UNLOAD: you can't use FIXEDWIDTH with HEADER");
    await expect(unload('select nope from nowhere', p, role)).rejects.toThrow('relation "nowhere" does not exist');
    expect(await keys(p)).toEqual([]);
    // The session goes on working after an error.
    expect((await db.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
  });

  it('runs inside a transaction, seeing its uncommitted rows', async () => {
    const p = uniquePrefix('tx');
    await db.query('BEGIN');
    await db.query('CREATE TEMP TABLE t (x int)');
    await db.query('INSERT INTO t VALUES (7)');
    await unload('select x from t', p, `${role} PARALLEL OFF`);
    await db.query('ROLLBACK');
    expect(await text(`${p}000`)).toBe('7\n');
  });

  it('runs UNLOAD through the extended protocol too (unnamed and named statements), without parameters', async () => {
    const p = uniquePrefix('extended');
    db.notices.length = 0;
    const res = await db.query({ text: `UNLOAD ('select id from venue') TO 's3://${bucket}/${p}' ${role} PARALLEL OFF`, values: [] });
    expect(res.command).toBe('UNLOAD');
    expect(db.notices).toEqual(['INFO: UNLOAD completed, 4 record(s) unloaded successfully.']);
    const named = uniquePrefix('named');
    await db.query({ name: 'unload_named', text: `UNLOAD ('select 1') TO 's3://${bucket}/${named}' ${role} PARALLEL OFF`, values: [] });
    expect(await keys(named)).toEqual(['000']);
    await expect(db.query({ text: `UNLOAD ('select $1') TO 's3://${bucket}/x/' ${role}`, values: [1] })).rejects.toThrow(
      'bind message supplies 1 parameters, but prepared statement "" requires 0',
    );
    expect((await db.query('select $1::int as x', [5])).rows).toEqual([{ x: 5 }]);
    expect(sortedLines(await text(`${p}000`))).toEqual(['1', '2', '3', '4']);
  });

  it("round-trips every value with ferry's options into PostgreSQL COPY text format", async () => {
    await db.query(`CREATE TABLE edge (id int, v text)`);
    const values = [
      null,
      '',
      '\t',
      'a\tb',
      'line\nbreak',
      'cr\rhere',
      'crlf\r\n',
      '\\',
      'back\\slash\\',
      '"',
      "'",
      '|',
      'a|b|',
      '\\N',
      'N',
      '\\.',
      '.',
      '日本語',
      '😀 emoji',
      'mixed "q" \'s\' | \\ \n \r \t 😀',
      ' lead and trail ',
      '\x01\x08\x0b\x0c',
    ];
    for (const [i, v] of values.entries()) await db.query('INSERT INTO edge VALUES ($1, $2)', [i, v]);
    const p = uniquePrefix('roundtrip');
    await db.query(
      `UNLOAD ($$select id, v from edge$$) TO 's3://${bucket}/${p}' IAM_ROLE 'arn:aws:iam::1:role/r' DELIMITER AS '|' NULL AS '\\\\N' ESCAPE GZIP MANIFEST VERBOSE MAXFILESIZE 5 MB ALLOWOVERWRITE`,
    );
    const manifest = JSON.parse((await object(`${p}manifest`)).toString());
    expect(manifest.meta.record_count).toBe(values.length);
    await db.query(`CREATE TABLE edge_copy (id int, v text)`);
    for (const entry of manifest.entries) {
      const body = gunzipSync(await object(entry.url.slice(`s3://${bucket}/`.length)));
      await pipeline(Readable.from([body]), db.query(copyFrom(`COPY edge_copy FROM STDIN WITH (FORMAT text, DELIMITER '|', NULL '\\N')`)));
    }
    const copied = (await db.query('SELECT id, v FROM edge_copy ORDER BY id')).rows;
    expect(copied).toEqual(values.map((v, id) => ({ id, v })));
  });

  it('writes FIXEDWIDTH files, padding each column to its width', async () => {
    const p = uniquePrefix('fixedwidth');
    await unload('select id, name, open from venue where id in (1, 3) order by id', p, `${role} FIXEDWIDTH AS 'id:3,name:20,open:1' PARALLEL OFF`);
    expect(await text(`${p}000`)).toBe('1  Air Canada Centre   t\n3                       \n');
    await expect(unload('select id from venue', uniquePrefix('fw'), `${role} FIXEDWIDTH '0:3,1:3'`)).rejects.toThrow(
      'UNLOAD: the FIXEDWIDTH specification has 2 column(s) but the query returns 1',
    );
  });

  it("appends EXTENSION instead of the compression suffix, as AWS's example shows", async () => {
    const p = uniquePrefix('extension');
    await unload('select id from venue', p, `${role} EXTENSION 'txt.gz' GZIP PARALLEL OFF`);
    expect(await keys(p)).toEqual(['000.txt.gz']);
    expect(
      gunzipSync(await object(`${p}000.txt.gz`))
        .toString()
        .split('\n')
        .filter(Boolean)
        .sort(),
    ).toEqual(['1', '2', '3', '4']);
  });

  it('counts the header lines in the manifest, as AWS documents', async () => {
    const p = uniquePrefix('headercount');
    await unload('select id from venue', p, `${role} HEADER MANIFEST VERBOSE`);
    const m = JSON.parse((await object(`${p}manifest`)).toString());
    expect(m.meta.record_count).toBe(4 + 4);
    expect(m.entries.map((e: { meta: { record_count: number } }) => e.meta.record_count)).toEqual([2, 2, 2, 2]);
    expect(await text(`${p}0000_part_00`)).toBe('id\n1\n');
  });

  it('reports every documented option conflict and requirement', async () => {
    const sample: Record<string, string> = {
      'FORMAT=CSV': 'CSV',
      'FORMAT=PARQUET': 'PARQUET',
      'FORMAT=JSON': 'JSON',
      FIXEDWIDTH: "FIXEDWIDTH 'a:1'",
      DELIMITER: "DELIMITER ','",
      ADDQUOTES: 'ADDQUOTES',
      ESCAPE: 'ESCAPE',
      NULL: "NULL AS 'x'",
      HEADER: 'HEADER',
      GZIP: 'GZIP',
      BZIP2: 'BZIP2',
      ZSTD: 'ZSTD',
      ALLOWOVERWRITE: 'ALLOWOVERWRITE',
      CLEANPATH: 'CLEANPATH',
      IAM_ROLE: '',
      ACCESS_KEY_ID: "ACCESS_KEY_ID 'a'",
      SECRET_ACCESS_KEY: "SECRET_ACCESS_KEY 'b'",
      SESSION_TOKEN: "SESSION_TOKEN 't'",
      CREDENTIALS: "CREDENTIALS 'aws_iam_role=arn'",
      KMS_KEY_ID: "KMS_KEY_ID 'k'",
      MASTER_SYMMETRIC_KEY: "MASTER_SYMMETRIC_KEY 'm'",
      'ENCRYPTED=AUTO': 'ENCRYPTED AUTO',
      ROWGROUPSIZE: 'ROWGROUPSIZE 64 MB',
    };
    const label = (o: string) =>
      o
        .replace('FORMAT=', '')
        .replace('ENCRYPTED=AUTO', 'ENCRYPTED AUTO')
        .replace(/^NULL$/, 'NULL AS');
    const messages: string[] = [];
    for (const [a, others] of CONFLICTS) {
      for (const b of others) {
        const auth = a === 'CREDENTIALS' ? '' : role; // the pair itself authorizes, or the role does
        const err = await db.query(`UNLOAD ('select 1') TO 's3://${bucket}/never/' ${auth} ${sample[a]} ${sample[b]}`).catch((e: Error) => e);
        expect((err as Error).message).toBe(`UNLOAD: you can't use ${label(a)} with ${label(b)}`);
        messages.push((err as Error).message);
      }
    }
    for (const [a, needs] of REQUIREMENTS) {
      const err = await db.query(`UNLOAD ('select 1') TO 's3://${bucket}/never/' ${role} ${sample[a]}`).catch((e: Error) => e);
      expect((err as Error).message).toBe(`UNLOAD: ${label(a)} requires ${label(needs)}`);
    }
    expect(messages.length).toBeGreaterThan(20);
    expect(await keys('never/')).toEqual([]);
  });

  it('refuses a LIMIT in the outer SELECT (AWS usage notes) but not a nested one', async () => {
    await expect(unload('select id from venue limit 2', uniquePrefix('limit'), role)).rejects.toThrow('LIMIT clause is not supported in the outer SELECT');
    const p = uniquePrefix('nestedlimit');
    await unload('select id from venue where id in (select id from venue order by id limit 2)', p, `${role} PARALLEL OFF`);
    expect(sortedLines(await text(`${p}000`))).toEqual(['1', '2']);
  });

  it('runs UNLOAD among other statements of one simple query, and a query ending in a comment or semicolon', async () => {
    const p = uniquePrefix('multi');
    const res = (await db.query(`BEGIN; INSERT INTO venue (id) VALUES (99); UNLOAD ('select id from venue where id = 99 -- only the new row
;') TO 's3://${bucket}/${p}' ${role} PARALLEL OFF; ROLLBACK`)) as unknown as { command: string }[];
    expect(res.map((r) => r.command)).toEqual(['BEGIN', 'INSERT', 'UNLOAD', 'ROLLBACK']);
    expect(await text(`${p}000`)).toBe('99\n');
    expect((await db.query('select count(*)::int as n from venue where id = 99')).rows).toEqual([{ n: 0 }]);
  });

  it('fails the transaction on an UNLOAD error, as Redshift does', async () => {
    await db.query('BEGIN');
    await expect(unload('select 1', uniquePrefix('txerr'), `${role} ALLOWOVERWRITE CLEANPATH`)).rejects.toThrow("you can't use ALLOWOVERWRITE with CLEANPATH");
    await expect(db.query('select 1')).rejects.toThrow('current transaction is aborted');
    await db.query('ROLLBACK');
    expect((await db.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
  });

  it("writes ISO dates and UTC timestamptz whatever the session's DateStyle and TimeZone, leaving them as they were", async () => {
    const other = await rl.connect();
    await other.query(`SET DateStyle = 'German, DMY'`);
    await other.query(`SET TimeZone = 'Asia/Tokyo'`);
    const p = uniquePrefix('datestyle');
    await other.query(
      `UNLOAD ($$select at, atz, at::date, '03:04:05.5+02'::timetz, '\\x0aff'::bytea from venue where id = 1$$) TO 's3://${bucket}/${p}' ${role} PARALLEL OFF`,
    );
    expect(await text(`${p}000`)).toBe('2024-01-02 03:04:05.12|2024-01-02 01:04:05+00|2024-01-02|01:04:05.5+00|0aff\n');
    expect((await other.query('SHOW DateStyle')).rows[0].DateStyle).toBe('German, DMY');
    expect((await other.query('SHOW TimeZone')).rows[0].TimeZone).toBe('Asia/Tokyo');
  });
});
