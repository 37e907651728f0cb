import { WorkflowFailedError } from '@temporalio/client';
import { fingerprint, rowsOf } from './support/databases';
import { transferFixture } from './support/ferry';
import { createS3Client, listObjects, s3SettingsFromEnv } from '@ferry/s3';
import { stack } from './support/env';

const s3 = createS3Client(s3SettingsFromEnv());

// The edge values ferry must move exactly: NULL vs '', every character the text format
// treats specially, the literal text \N, multi-byte unicode and emoji.
const EDGE_TEXTS = [
  null,
  '',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\\',
  '\\\\',
  '"',
  "'",
  '|',
  '||',
  '\\N',
  'N',
  '\\.',
  '.',
  'a|b\\c"d\'e\tf\ng\rh',
  '  padded  ',
  'ü',
  '日本語テキスト',
  '😀🚀',
  'e\u0301',
  'line1\nline2\\n',
  '\\t',
];

const TYPED_TABLE = `
  id integer PRIMARY KEY,
  txt text,
  vc varchar(40),
  ch char(4),
  small smallint,
  big bigint,
  num numeric(18,4),
  r real,
  d double precision,
  flag boolean,
  day date,
  ts timestamp,
  tstz timestamptz`;

describe('tableTransfer on the real stack', () => {
  const env = transferFixture('it', { awsS3Local: true });

  const run = (input: unknown, id: string) => env.ferry.execute('tableTransfer', input, id);

  it.each(['copy', 'aws_s3'])('moves every edge value exactly, NULL and empty string distinct (load.method %s)', async (method) => {
    const edge = `edge_${method}`;
    await env.src.query(`CREATE TABLE ${edge} (${TYPED_TABLE})`);
    await env.dst.query(`CREATE TABLE ${edge} (${TYPED_TABLE})`);
    for (const [i, t] of EDGE_TEXTS.entries()) {
      await env.src.query(`INSERT INTO ${edge} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, [
        i,
        t,
        t === null ? null : t.slice(0, 40),
        t === null ? null : t.slice(0, 4),
        i - 5,
        2n ** 62n - BigInt(i),
        `${i}.0500`,
        1.1 * i,
        Math.PI * i,
        i % 2 === 0,
        `2024-02-${String((i % 28) + 1).padStart(2, '0')}`,
        `2024-03-01 12:34:56.${String(i).padStart(6, '0')}`,
        `2024-03-01 12:34:56.5+0${i % 9}`,
      ]);
    }
    await env.src.query(`INSERT INTO ${edge} (id) VALUES (1000)`); // every other column NULL
    await env.src.query(
      `INSERT INTO ${edge} VALUES (1001, 'x', '', '', 0, 0, 0, 'NaN', '-Infinity', false, '0001-01-01', '1999-12-31 23:59:59', '1970-01-01 00:00:00+00')`,
    );
    await env.dst.query(`INSERT INTO ${edge} (id, txt) VALUES (-1, 'replaced by the transfer')`);

    const result = await run(
      {
        source: { connection: 'redshift', table: `public.${edge}` },
        target: { connection: 'postgres', table: `public.${edge}` },
        load: { maxParallelLoads: 2, method },
      },
      edge,
    );

    expect(result.rows).toBe(EDGE_TEXTS.length + 2);
    expect(await rowsOf(env.dst, edge, 'id')).toEqual(await rowsOf(env.src, edge, 'id'));
    expect(await fingerprint(env.dst, edge, 'id')).toEqual(await fingerprint(env.src, edge, 'id'));
    const nulls = await env.dst.query(
      `SELECT count(*) FILTER (WHERE txt IS NULL) AS nulls, count(*) FILTER (WHERE txt = '') AS empties, count(*) FILTER (WHERE txt = '\\N') AS backslash_n FROM ${edge}`,
    );
    expect(nulls.rows[0]).toEqual({ nulls: '2', empties: '1', backslash_n: '1' });
  });

  it('moves a larger table in many parts, replacing what the target had', async () => {
    await env.src.query(
      `CREATE TABLE wide AS SELECT g AS id, md5(g::text) AS h, repeat(chr(65 + g % 26), g % 50) AS s, now() - g * interval '1 minute' AS at FROM generate_series(1, 60000) g`,
    );
    await env.dst.query(`CREATE TABLE wide (id integer PRIMARY KEY, h text, s text, at timestamptz)`);
    await env.dst.query(`INSERT INTO wide VALUES (0, 'old', 'old', now())`);

    const result = await run(
      { source: { connection: 'redshift', table: 'wide' }, target: { connection: 'postgres', table: 'wide' }, unload: { maxFileSizeMb: 5 } },
      'wide',
    );
    expect(result.rows).toBe(60000);
    expect(result.parts).toBeGreaterThanOrEqual(4);
    expect(await fingerprint(env.dst, 'wide', 'id')).toEqual(await fingerprint(env.src, 'wide', 'id'));
    // The run cleaned up after itself.
    const leftovers = await env.dst.query(
      `SELECT to_regclass('ferry_staging.public__wide') AS staging, (SELECT count(*)::int FROM ferry_staging.ferry_runs) AS leases`,
    );
    expect(leftovers.rows[0]).toEqual({ staging: null, leases: 0 });
    const files = [];
    for await (const o of listObjects(s3, stack.bucket, 'ferry/public.wide/')) files.push(o.key);
    expect(files).toEqual([]);
  });

  it("a 400-column table: each part's load input stays under 2 KB (the columns are not in it), and every value arrives", async () => {
    const names = Array.from({ length: 400 }, (_, i) => `measurement_with_a_rather_long_name_${String(i).padStart(3, '0')}`);
    await env.src.query(`CREATE TABLE four_hundred (id int, ${names.map((n) => `${n} int`).join(', ')})`);
    await env.src.query(`INSERT INTO four_hundred SELECT g, ${names.map((_, i) => `g * ${i + 1}`).join(', ')} FROM generate_series(1, 3000) g`);
    await env.dst.query(`CREATE TABLE four_hundred (id int PRIMARY KEY, ${names.map((n) => `${n} int`).join(', ')})`);

    const handle = await env.ferry.start(
      'tableTransfer',
      // partsPerWorkflow 1: not a tiny table loaded inside finalize; its first part loads in the table's own workflow, by number.
      {
        source: { connection: 'redshift', table: 'four_hundred' },
        target: { connection: 'postgres', table: 'four_hundred' },
        unload: { maxFileSizeMb: 5 },
        load: { partsPerWorkflow: 1 },
      },
      'four-hundred',
    );
    const result = await handle.result();
    expect(result.rows).toBe(3000);
    expect(await fingerprint(env.dst, 'four_hundred', 'id')).toEqual(await fingerprint(env.src, 'four_hundred', 'id'));

    const history = await handle.fetchHistory();
    const loadInputs = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'loadPart')
      .map((a) => (a!.input?.payloads ?? []).reduce((n, p) => n + (p.data?.length ?? 0), 0));
    expect(loadInputs.length).toBe(1);
    for (const bytes of loadInputs) expect(bytes).toBeLessThanOrEqual(2048);
  });

  it('loads from a query, uncompressed, appending', async () => {
    await env.src.query(`CREATE TABLE q AS SELECT g AS id, g * 2 AS twice FROM generate_series(1, 100) g`);
    await env.dst.query(`CREATE TABLE q_even (id int, twice int, note text DEFAULT 'kept')`);
    await env.dst.query(`INSERT INTO q_even VALUES (-1, -2, 'existing')`);
    const result = await run(
      {
        source: { connection: 'redshift', query: `select id, twice from q where id % 2 = 0 and 'a''b' <> '$$'` },
        target: { connection: 'postgres', table: 'q_even', mode: 'append' },
        unload: { compression: 'none', parallel: false },
      },
      'query',
    );
    expect(result.rows).toBe(50);
    const rows = await env.dst.query(`SELECT count(*)::int AS n, sum(twice)::int AS s, count(*) FILTER (WHERE note = 'kept')::int AS defaulted FROM q_even`);
    expect(rows.rows[0]).toEqual({ n: 51, s: 2 * 2550 - 2, defaulted: 50 });
  });

  describe('bad input fails fast, non-retryably, naming the cause, target untouched', () => {
    beforeAll(async () => {
      await env.src.query(`CREATE TABLE good (id int)`);
      await env.src.query(`INSERT INTO good VALUES (1)`);
      await env.dst.query(`CREATE TABLE good (id int)`);
      await env.dst.query(`INSERT INTO good VALUES (42)`);
    });

    const failureOf = async (input: unknown): Promise<{ message: string; type?: string }> => {
      const err = await run(input, 'bad').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as { message: string; type?: string; nonRetryable?: boolean };
      expect(cause.nonRetryable).toBe(true);
      expect(await rowsOf(env.dst, 'good', 'id')).toEqual([{ id: 42 }]);
      return cause;
    };

    it('an unknown connection name', async () => {
      const f = await failureOf({ source: { connection: 'warehouse', table: 'good' }, target: { connection: 'postgres', table: 'good' } });
      expect(f.type).toBe('ConfigError');
      expect(f.message).toMatch(/unknown connection "warehouse": the worker knows postgres, redshift/);
    });

    it('a missing source table', async () => {
      const f = await failureOf({ source: { connection: 'redshift', table: 'public.nope' }, target: { connection: 'postgres', table: 'good' } });
      expect(f.type).toBe('SourceNotFound');
      expect(f.message).toBe('source table public.nope does not exist on connection "redshift": check source.table (schema.table)');
    });

    it('a missing target table', async () => {
      const f = await failureOf({ source: { connection: 'redshift', table: 'good' }, target: { connection: 'postgres', table: 'missing' } });
      expect(f.type).toBe('TargetNotFound');
      expect(f.message).toMatch(
        /^target table public.missing does not exist in database "ferry_it_dst_\w+" \(connection "postgres"\): create it before the transfer, or set target.create: ifMissing to create it from the source$/,
      );
    });

    it('a target without a source column', async () => {
      const f = await failureOf({
        source: { connection: 'redshift', query: 'select id, 1 as extra from good' },
        target: { connection: 'postgres', table: 'good' },
      });
      expect(f.type).toBe('ColumnMismatch');
      expect(f.message).toMatch(/has no column "extra"/);
    });

    it('a compression the load method cannot read, refused before anything is unloaded', async () => {
      const f = await failureOf({
        source: { connection: 'redshift', table: 'good' },
        target: { connection: 'postgres', table: 'good' },
        unload: { compression: 'zstd' },
        load: { method: 'aws_s3' },
      });
      expect(f.type).toBe('InvalidInput');
      expect(f.message).toBe(
        `unload.compression "zstd" cannot be loaded with load.method "aws_s3": RDS's aws_s3.table_import_from_s3 imports only gzip or uncompressed files. Choose unload.compression "gzip" (or "none")`,
      );
      const unloaded = [];
      for await (const o of listObjects(s3, stack.bucket, 'ferry/public.good/')) unloaded.push(o.key);
      expect(unloaded).toEqual([]);
    });

    it('a query the source refuses while unloading (division by zero), not retried', async () => {
      const f = await failureOf({
        source: { connection: 'redshift', query: 'select 1 / (id - 1) as id from good' },
        target: { connection: 'postgres', table: 'good' },
      });
      expect(f.type).toBe('BadSourceQuery');
      expect(f.message).toMatch(/^UNLOAD of query failed on the source \(SQLSTATE 22012\): division by zero\. Check source\.table or source\.query/);
    });

    it('malformed input', async () => {
      const f = await failureOf({ source: { connection: 'redshift' }, target: { table: 'good' }, load: { maxParallelLoads: 'lots' } });
      expect(f.type).toBe('InvalidInput');
      expect(f.message).toMatch(
        /^invalid tableTransfer input: source: give exactly one of source.table and source.query; target.connection: .*; load.maxParallelLoads: /,
      );
    });
  });
});
