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
    await unload('select g, repeat(md5(g::text), 4) from generate_series(1, 90000) g', p, `${role} PARALLEL OFF MAXFILESIZE 5 MB EXTENSION 'csv' DELIMITER ','`);
    const names = await keys(p);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.slice(0, 2)).toEqual(['000.csv', '001.csv']);
    expect((await all(p)).split('\n').filter(Boolean)).toHaveLength(90000);
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
      /^S3ServiceException:.*,Status 403,Error InvalidAccessKeyId$/,
    );
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

  it('refuses UNLOAD through the extended protocol with a clear message', async () => {
    await expect(db.query({ text: `UNLOAD ('select $1') TO 's3://${bucket}/x/' ${role}`, values: [1] })).rejects.toThrow(
      'redshift-local runs UNLOAD through the simple query protocol only',
    );
    expect((await db.query('select $1::int as x', [5])).rows).toEqual([{ x: 5 }]);
  });
});
