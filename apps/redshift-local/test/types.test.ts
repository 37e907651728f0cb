import { bucket, object, redshiftLocal, text, uniquePrefix } from './support';

type RL = Awaited<ReturnType<typeof redshiftLocal>>;

describe("redshift-local speaks Redshift's type system", () => {
  let rl: RL;
  let db: Awaited<ReturnType<RL['connect']>>;
  const role = `IAM_ROLE 'arn:aws:iam::123456789012:role/unload'`;

  beforeAll(async () => {
    rl = await redshiftLocal();
    db = await rl.connect();
  });
  afterAll(async () => {
    await rl?.close();
  });

  const fields = async (sql: string, values?: unknown[]) => (await db.query(sql, values)).fields.map((f) => [f.name, f.dataTypeID]);

  it('constructs SUPER, VARBYTE and HLLSKETCH values with the functions AWS documents', async () => {
    const row = (
      await db.query(`SELECT
        json_serialize(json_parse('{"a":[1,"x",null]}')) AS parsed,
        json_serialize(object()) AS o0,
        json_serialize(object('k', 1)) AS o1,
        json_serialize(object('k', json_parse('{"n":[true]}'), 'v', 'text'::varchar)) AS o2,
        to_hex(json_serialize_to_varbyte(json_parse('[1]'))) AS j2v,
        json_serialize_to_varbyte(NULL) IS NULL AS j2v_null,
        to_hex(from_hex('6162')) AS hex,
        from_varbyte(to_varbyte('abc', 'utf8'), 'hex') AS utf8,
        from_varbyte(to_varbyte('6162', 'hex'), 'utf-8') AS from_hex,
        from_varbyte(to_varbyte('101', 'binary'), 'binary') AS bin,
        from_varbyte(to_varbyte('YWJj', 'base64'), 'utf_8') AS b64,
        from_varbyte('abc'::varchar::varbyte, 'base64') AS to_b64,
        to_hex(5::smallint::varbyte) AS small,
        to_hex('aa'::char(4)::varbyte) AS padded,
        hll_cardinality(hll_create_sketch(x)) AS card,
        hll(x) AS hll
      FROM (VALUES (1), (2), (2), (3), (NULL)) AS v(x)`)
    ).rows[0];
    expect(row).toEqual({
      parsed: '{"a": [1, "x", null]}',
      o0: '{}',
      o1: '{"k": 1}',
      o2: '{"k": {"n": [true]}, "v": "text"}',
      j2v: '5b315d',
      j2v_null: true,
      hex: '6162',
      utf8: '616263',
      from_hex: 'ab',
      bin: '00000101',
      b64: 'abc',
      to_b64: 'YWJj',
      small: '0005',
      padded: '61612020',
      card: '3',
      hll: '3',
    });
  });

  it('writes HLLSKETCH sparse as JSON and dense as Base64, as the HLLSKETCH page shows', async () => {
    const sparse = (await db.query(`SELECT hll_create_sketch(x)::text AS s FROM (VALUES ('a'), ('b')) v(x)`)).rows[0].s;
    expect(JSON.parse(sparse)).toEqual({ version: 1, logm: 15, sparse: { indices: expect.any(Array), values: expect.any(Array) } });
    expect(JSON.parse(sparse).sparse.indices).toHaveLength(2);
    const { dense, card } = (
      await db.query(`SELECT s::text AS dense, hll_cardinality(s) AS card FROM (SELECT hll_create_sketch(g) s FROM generate_series(1, 20000) g) x`)
    ).rows[0];
    expect(dense).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(dense, 'base64')).toHaveLength(24580);
    expect(Math.abs(Number(card) - 20000)).toBeLessThan(400);
    expect((await db.query(`SELECT hll(x) AS n FROM (VALUES (1)) v(x) WHERE false`)).rows[0].n).toBe('0');
  });

  it('refuses a VARBYTE longer than its declared length (SQLSTATE 22001)', async () => {
    await db.query('CREATE TABLE vb (v varbyte(3))');
    await db.query(`INSERT INTO vb VALUES (from_hex('010203')), ('\\x01'::bytea)`);
    await expect(db.query(`INSERT INTO vb VALUES (from_hex('01020304'))`)).rejects.toMatchObject({
      code: '22001',
      message: 'value too long for type varbyte(3)',
    });
    await expect(db.query('CREATE TABLE vb_max (v varbyte(16777216))')).resolves.toBeDefined();
    await expect(db.query('CREATE TABLE vb_over (v varbyte(16777217))')).rejects.toThrow('length for type varbyte must be between 1 and 16777216');
  });

  it('reports GETDATE to the second and SYSDATE (a bare keyword) in UTC', async () => {
    const row = (await db.query(`SELECT getdate() AS g, sysdate AS s, 'sysdate' AS literal, current_setting('TimeZone') AS tz`)).rows[0];
    expect(row.g.getMilliseconds()).toBe(0);
    expect(Math.abs(row.s.getTime() - Date.now())).toBeLessThan(60_000);
    expect(row.literal).toBe('sysdate');
    expect(row.tz).toBe('UTC');
    // SYSDATE in a column default, inside a transaction: the transaction's start
    await db.query('CREATE TABLE stamped (id int, at timestamp DEFAULT SYSDATE)');
    await db.query('BEGIN');
    await db.query('INSERT INTO stamped (id) VALUES (1)');
    const [{ same }] = (await db.query('SELECT at = sysdate AS same FROM stamped')).rows;
    await db.query('COMMIT');
    expect(same).toBe(true);
  });

  it("describes results with Redshift's type OIDs, in the simple and the extended protocol", async () => {
    await db.query(`CREATE TABLE typed (vb varbyte(8), b bytea, s super, j jsonb, h hllsketch, g geometry, gg geography,
      ym interval year to month, ds interval day to second, i interval, v varchar(10), c char(3), n numeric(12, 3), f float8, r real)`);
    const expected = [
      ['vb', 6551],
      ['b', 6551],
      ['s', 4000],
      ['j', 4000],
      ['h', 2935],
      ['g', 3999],
      ['gg', 3001],
      ['ym', 1188],
      ['ds', 1190],
      ['i', 1186],
      ['v', 1043],
      ['c', 1042],
      ['n', 1700],
      ['f', 701],
      ['r', 700],
    ];
    expect(await fields('SELECT * FROM typed')).toEqual(expected);
    expect(await fields('SELECT * FROM typed WHERE $1::int = 1', [1])).toEqual(expected);
    // typmods stay PostgreSQL's: varchar/char n + 4, numeric ((p << 16) | s) + 4
    const mods = (await db.query('SELECT v, c, n FROM typed')).fields.map((f) => f.dataTypeModifier);
    expect(mods).toEqual([14, 7, ((12 << 16) | 3) + 4]);
    // constructors' results too
    expect(await fields(`SELECT json_parse('1') AS s, from_hex('00') AS v, hll_create_sketch(1) AS h, public.st_geomfromtext('POINT(1 2)') AS g`)).toEqual([
      ['s', 4000],
      ['v', 6551],
      ['h', 2935],
      ['g', 3999],
    ]);
  });

  it('prints floats with Redshift’s extra_float_digits 0 unless the session sets it', async () => {
    expect((await db.query('SHOW extra_float_digits')).rows[0].extra_float_digits).toBe('0');
    const other = await rl.connect();
    await other.query('SET extra_float_digits TO 2');
    expect((await other.query('SELECT (1.0::float8 / 3)::text AS f')).rows[0].f).toBe('0.3333333333333333');
    expect((await db.query('SELECT (1.0::float8 / 3)::text AS f')).rows[0].f).toBe('0.333333333333333');
  });

  it('keeps a TIMETZ in UTC, as Redshift stores it: read back, cast to text and compared at +00', async () => {
    await db.query(`CREATE TABLE zoned (id integer, t timetz, u timetz)`);
    await db.query(`INSERT INTO zoned VALUES (1, '12:00:00+02', NULL), (2, '23:30:00-05', '00:00:00+00')`);
    await db.query(`UPDATE zoned SET u = '08:15:00+08' WHERE id = 1`);
    expect((await db.query(`SELECT id, CAST(t AS VARCHAR) AS t, u::text AS u FROM zoned ORDER BY id`)).rows).toEqual([
      { id: 1, t: '10:00:00+00', u: '00:15:00+00' },
      { id: 2, t: '04:30:00+00', u: '00:00:00+00' },
    ]);
  });

  it('UNLOADs every type in the text form Redshift documents', async () => {
    await db.query(`CREATE TABLE every_type (i2 smallint, i4 integer, i8 bigint, n numeric(12, 3), r real, d double precision, b boolean,
      c char(5), v varchar(10), dt date, t time, ttz timetz, ts timestamp, tstz timestamptz, ym interval year to month,
      ds interval day to second, vb varbyte(10), s super, g geometry, gg geography, h hllsketch)`);
    await db.query(`INSERT INTO every_type VALUES (1, 2, 3, 1.5, 0.1, 1.0 / 3, true, 'ab', 'xyz', '0044-03-15 BC', '24:00:00', '12:00:00+02',
      '2024-01-02 03:04:05.5', '2024-01-02 03:04:05+02', '1 year 2 mons', '3 days 04:05:06.7', from_hex('6162'), json_parse('{"a":[1,"x"]}'),
      public.st_geomfromtext('POINT(1 2)'), public.st_geogfromtext('POINT(1 2)'), '{"version":1,"logm":15,"sparse":{"indices":[7],"values":[2]}}')`);
    await db.query(`INSERT INTO every_type (i2) VALUES (2)`);
    const p = uniquePrefix('every-type');
    await db.query(`UNLOAD ('select * from every_type order by i2') TO 's3://${bucket}/${p}' ${role} PARALLEL OFF NULL AS 'NUL' MANIFEST VERBOSE`);
    expect((await text(`${p}000`)).split('\n')).toEqual([
      [
        '1',
        '2',
        '3',
        '1.500',
        '0.1',
        '0.333333333333333',
        't',
        'ab   ',
        'xyz',
        '0044-03-15 BC',
        '24:00:00',
        '10:00:00+00',
        '2024-01-02 03:04:05.5',
        '2024-01-02 01:04:05+00',
        '1 year 2 mons',
        '3 days 04:05:06.7',
        '6162',
        '{"a": [1, "x"]}',
        '0101000000000000000000F03F0000000000000040',
        '0101000020E6100000000000000000F03F0000000000000040',
        '{"version":1,"logm":15,"sparse":{"indices":[7],"values":[2]}}',
      ].join('|'),
      // SUPER ignores NULL AS: a NULL is JSON's null ("Unloading semistructured data")
      ['2', ...Array(16).fill('NUL'), 'null', 'NUL', 'NUL', 'NUL'].join('|'),
      '',
    ]);
    const manifest = JSON.parse((await object(`${p}manifest`)).toString());
    expect(manifest.schema.elements.map((e: { type: { base: string } }) => e.type.base)).toEqual([
      'smallint',
      'integer',
      'bigint',
      'numeric',
      'real',
      'double precision',
      'boolean',
      'character',
      'character varying',
      'date',
      'time without time zone',
      'time with time zone',
      'timestamp without time zone',
      'timestamp with time zone',
      'interval year to month',
      'interval day to second',
      'binary varying',
      'super',
      'geometry',
      'geography',
      'hllsketch',
    ]);
    // a session asking for more float digits gets PostgreSQL's shortest exact output in its UNLOAD
    const exact = await rl.connect();
    await exact.query('SET extra_float_digits TO 2');
    const q = uniquePrefix('float-digits');
    await exact.query(`UNLOAD ('select d from every_type where i2 = 1') TO 's3://${bucket}/${q}' ${role} PARALLEL OFF`);
    expect(await text(`${q}000`)).toBe('0.3333333333333333\n');
  });
});
