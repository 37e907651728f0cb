import { WorkflowFailedError } from '@temporalio/client';
import type { Client } from 'pg';
import type { FerryConfig } from '@ferry/config';
import type { VerifyReport } from '@ferry/contract';
import { installRedshiftTypes } from '@ferry/redshift-local';
import { installAwsS3Local } from '../tools/aws-s3-local/install';
import { canonicalRows } from '../tools/demo/canonical';
import { connect, fingerprint, uniqueName } from './support/databases';
import { stack } from './support/env';
import { startFerry, testConfig, type FerryHarness } from './support/ferry';
import { MATRIX, ROWS } from './support/type-matrix';

// The checksum gate and the loads on targets that are not plain UTF-8 databases: a LATIN1 and
// an SQL_ASCII database (older RDS instances have them), and a UTF-8 one whose defaults
// change how dates, times, intervals and bytes read and print. The proof must not cry wolf,
// and every value must arrive as it left. Both load methods.
// Redshift stores TIMETZ in UTC (AWS, "Datetime types": "TIMETZ values are UTC in both user
// tables and Amazon Redshift system tables"); redshift-local keeps the offset a value was
// written with (its README), so this matrix writes them in UTC, as Redshift would hold them.
const UTC_MATRIX = MATRIX.map(([name, type, target, values]) =>
  name === 'ttz'
    ? ([name, type, target, [`'07:00:00+00'`, `'00:00:00+00'`, `'02:59:59.999999+00'`, `'20:00:00+00'`]] as const)
    : ([name, type, target, values] as const),
);

// \`settings\` is a UTF-8 database whose defaults (set in beforeAll) differ from ferry's everywhere.
const TARGETS = {
  latin1: `ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
  sqlascii: `ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`,
  settings: `ENCODING 'UTF8' TEMPLATE template0`,
} as const;
type Target = keyof typeof TARGETS;
const METHODS = ['copy', 'aws_s3'] as const;
// LATIN1 cannot hold vc's CJK, emoji and combining accent nor j's emoji: it takes the rest of
// the all-types table (its own text is proven by \`words\`).
const MATRIX_COLUMNS: Record<Target, string[]> = {
  latin1: UTC_MATRIX.map(([name]) => name).filter((name) => name !== 'vc' && name !== 'j'),
  sqlascii: UTC_MATRIX.map(([name]) => name),
  settings: UTC_MATRIX.map(([name]) => name),
};

describe('target encodings and session settings', () => {
  const names = { source: uniqueName('ferry_enc_src') } as Record<'source' | Target, string>;
  const clients = {} as Record<'source' | Target, Client>;
  let ferry: FerryHarness;

  beforeAll(async () => {
    const admin = await connect('postgres');
    await admin.query(`CREATE DATABASE "${names.source}"`);
    for (const [target, options] of Object.entries(TARGETS) as [Target, string][]) {
      names[target] = uniqueName(`ferry_enc_${target}`);
      await admin.query(`CREATE DATABASE "${names[target]}" ${options}`);
    }
    // Defaults a DBA may have set on the database: none of them may change a value or a checksum.
    for (const setting of [
      `DateStyle = 'German, DMY'`,
      `TimeZone = 'Asia/Kolkata'`,
      `IntervalStyle = 'sql_standard'`,
      `bytea_output = 'escape'`,
      `extra_float_digits = -3`,
      `lc_numeric = 'C'`,
    ]) {
      await admin.query(`ALTER DATABASE "${names.settings}" SET ${setting}`);
    }
    await admin.end();
    await installRedshiftTypes(names.source);
    for (const target of Object.keys(TARGETS) as Target[]) await installAwsS3Local(names[target]);
    for (const db of ['source', ...Object.keys(TARGETS)] as ('source' | Target)[]) clients[db] = await connect(names[db]);
    for (const target of Object.keys(TARGETS) as Target[]) await clients[target].query('CREATE EXTENSION postgis');

    const config = testConfig(names.source, names.latin1);
    for (const target of Object.keys(TARGETS) as Target[]) {
      config.connections[target] = { ...config.connections.postgres, database: names[target] } as FerryConfig['connections'][string];
    }
    ferry = await startFerry(config);

    await clients.source.query(`CREATE TABLE words (id int, w varchar(40), c char(12))`);
    await clients.source.query(
      `INSERT INTO words VALUES (1, 'café naïve Straße', 'single'), (2, '', ' '), (3, NULL, NULL), (4, 'ÀÉÎÕÜ ß ÿ', 'x|y\\z'), (5, '¡¿«»°±²³µ¶·¹º¼½¾', 'Ø-free')`,
    );
    await clients.source.query(`CREATE TABLE euro (id int, w varchar(40))`);
    await clients.source.query(`INSERT INTO euro VALUES (1, 'café'), (2, '10 €'), (3, 'x')`);
    // The all-types table is written through redshift-local, as a Redshift user would.
    const rs = await connect(names.source, stack.redshift.port);
    rs.on('error', () => undefined);
    await rs.query(`CREATE TABLE matrix (id INTEGER NOT NULL, ${UTC_MATRIX.map(([name, type]) => `${name} ${type}`).join(', ')})`);
    for (let i = 0; i <= ROWS; i++) await rs.query(`INSERT INTO matrix VALUES (${i}, ${UTC_MATRIX.map(([, , , v]) => v[i] ?? 'NULL').join(', ')})`);
    await rs.end();
  });

  afterAll(async () => {
    await ferry?.stop();
    await Promise.all(Object.values(clients).map((c) => c.end()));
    const admin = await connect('postgres');
    for (const name of Object.values(names)) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  const transfer = (connection: Target, table: string, target: string, method: (typeof METHODS)[number]) =>
    ferry.execute(
      'tableTransfer',
      { source: { connection: 'redshift', table }, target: { connection, table: target }, load: { method }, verify: 'checksum' },
      `enc-${connection}`,
    );

  describe.each(METHODS)('load method %s', (method) => {
    it.each(['latin1', 'sqlascii'] as const)('%s: text the database can hold moves exactly and the checksum gate passes', async (target) => {
      const table = `words_${method}`;
      await clients[target].query(`CREATE TABLE ${table} (id int PRIMARY KEY, w varchar(40), c char(12))`);
      const result = await transfer(target, 'public.words', `public.${table}`, method);
      expect(result.rows).toBe(5);
      // Redshift's CHAR holds single-byte characters only, so c is ASCII; w holds any.
      // Both sides read back through UTF-8 sessions: the same characters, value by value.
      const columns: [string, string][] = [
        ['id', 'integer'],
        ['w', 'text'],
        ['c', 'text'],
      ];
      expect(await canonicalRows(clients[target], table, columns, 'id')).toEqual(await canonicalRows(clients.source, 'words', columns, 'id'));
    });

    it('latin1: a character it cannot hold is refused, naming the column and the row, target unchanged', async () => {
      const table = `euro_${method}`;
      await clients.latin1.query(`CREATE TABLE ${table} (id int PRIMARY KEY, w varchar(40))`);
      await clients.latin1.query(`INSERT INTO ${table} VALUES (9, 'kept')`);
      const before = await fingerprint(clients.latin1, table, 'id');
      const err = await transfer('latin1', 'public.euro', `public.${table}`, method).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as unknown as { type: string; message: string; nonRetryable: boolean };
      expect([cause.type, cause.nonRetryable]).toEqual(['BadData', true]);
      expect(cause.message).toMatch(
        new RegExp(
          `cannot be loaded into public\\.${table}: column "w", row id=2 \\(line \\d+ of the part\\): character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1"`,
        ),
      );
      expect(cause.message).toContain(
        `Fix: the target database's encoding (LATIN1) cannot hold this character: load into a database created with ENCODING 'UTF8'`,
      );
      expect(await fingerprint(clients.latin1, table, 'id')).toEqual(before);
    });
  });

  it.each(METHODS.flatMap((method) => (['settings', 'sqlascii', 'latin1'] as const).map((target) => [target, method] as const)))(
    'target %s, load method %s: the all-types table arrives value by value and the checksum gate passes',
    async (target, method) => {
      const table = `matrix_${method}`;
      const moved = MATRIX_COLUMNS[target];
      const types = new Map(UTC_MATRIX.map(([name, , type]) => [name, type]));
      const columns: [string, string][] = [['id', 'integer'], ...moved.map((name) => [name, types.get(name)!] as [string, string])];
      await clients[target].query(`CREATE TABLE ${table} (id integer PRIMARY KEY, ${moved.map((n) => `${n} ${types.get(n)}`).join(', ')})`);
      const result = await ferry.execute(
        'tableTransfer',
        {
          source: { connection: 'redshift', query: `SELECT id, ${moved.join(', ')} FROM public.matrix` },
          target: { connection: target, table: `public.${table}` },
          load: { method },
          verify: 'checksum',
        },
        `enc-${target}`,
      );
      expect(result.rows).toBe(ROWS + 1);
      const source = await canonicalRows(clients.source, 'matrix', columns, 'id');
      const loaded = await canonicalRows(clients[target], table, columns, 'id');
      for (const [i, row] of source.entries()) expect(loaded[i]).toEqual(row);
      expect(loaded).toHaveLength(source.length);
    },
  );

  it('ferry verify on a LATIN1 target names exactly the changed row and column, and text keys as they are', async () => {
    await clients.latin1.query(`CREATE TABLE words_verify (id int PRIMARY KEY, w varchar(40), c char(12))`);
    await transfer('latin1', 'public.words', 'public.words_verify', 'copy');
    await clients.latin1.query(`UPDATE words_verify SET w = 'café naïve Strasse' WHERE id = 1`);
    const verify = (key?: string[]) =>
      ferry.execute<VerifyReport>(
        'tableVerify',
        { source: { connection: 'redshift', table: 'public.words' }, target: { connection: 'latin1', table: 'public.words_verify' }, ...(key && { key }) },
        'enc-verify',
      );
    // Rows 4 and 5 hold other characters LATIN1 encodes differently from UTF-8: equal all the same.
    expect(await verify()).toMatchObject({ equal: false, changed: [{ key: { id: '1' }, columns: ['w'] }], missing: [], extra: [] });
    expect(await verify(['w'])).toMatchObject({ equal: false, changed: [], missing: [{ w: 'café naïve Straße' }], extra: [{ w: 'café naïve Strasse' }] });
  });

  // The mark is read from the target and written into the source's WHERE as text: under the
  // German/Kolkata/-3 digits defaults it would print another instant's text, or a float rounded
  // below the largest loaded value (whose row would then be appended again).
  it.each([
    ['at', '2024-01-01 03:00:00.123456+00'],
    ['x', '3.3333333333333335'],
  ])('incremental on %s into the target with changed defaults: the mark %s reads back exactly', async (column, after) => {
    const table = `readings_${column}`;
    await clients.source.query(`CREATE TABLE ${table} (id int, at timestamptz, x double precision)`);
    const add = (from: number, to: number) =>
      clients.source.query(
        `INSERT INTO ${table} SELECT g, timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 hour', g + 1.0 / 3 FROM generate_series($1::int, $2::int) g`,
        [from, to],
      );
    await add(1, 3);
    await clients.settings.query(`CREATE TABLE ${table} (id int PRIMARY KEY, at timestamptz, x double precision)`);
    const run = () =>
      ferry.execute(
        'tableTransfer',
        {
          source: { connection: 'redshift', table: `public.${table}` },
          target: { connection: 'settings', table: `public.${table}`, mode: 'append' },
          incremental: { column },
          verify: 'checksum',
        },
        'enc-incr',
      );
    expect(await run()).toMatchObject({ rows: 3, incremental: { after: null } });
    await add(4, 5);
    expect(await run()).toMatchObject({ rows: 2, incremental: { column, after } });
    const columns: [string, string][] = [
      ['id', 'integer'],
      ['at', 'timestamptz'],
      ['x', 'double precision'],
    ];
    expect(await canonicalRows(clients.settings, table, columns, 'id')).toEqual(await canonicalRows(clients.source, table, columns, 'id'));
  });
});
