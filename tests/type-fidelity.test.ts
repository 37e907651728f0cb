import { WorkflowFailedError } from '@temporalio/client';
import type { Client } from 'pg';
import { createS3Client, listObjects, s3SettingsFromEnv } from '@ferry/s3';
import { canonicalRows } from '../tools/demo/canonical';
import { connect } from './support/databases';
import { stack } from './support/env';
import { transferFixture } from './support/ferry';
import { MATRIX, ROWS } from './support/type-matrix';

const s3 = createS3Client(s3SettingsFromEnv());

describe('every Redshift type arrives exactly', () => {
  const env = transferFixture('types', { awsS3Local: true, targetPostgis: true });
  let rs: Client;
  const run = (input: unknown, id: string) => env.ferry.execute('tableTransfer', input, id);

  beforeAll(async () => {
    rs = await connect(env.sourceDb, stack.redshift.port);
    rs.on('error', () => undefined); // the fixture drops the database with its connections
    const columns = MATRIX.map(([name, type]) => `${name} ${type}`).join(', ');
    await rs.query(`CREATE TABLE fidelity (id INTEGER NOT NULL ENCODE az64, ${columns}, h HLLSKETCH) DISTSTYLE KEY DISTKEY(id) SORTKEY(id)`);
    for (let i = 0; i < ROWS; i++) {
      const values = MATRIX.map(([, , , v]) => v[i] ?? 'NULL');
      await rs.query(`INSERT INTO fidelity VALUES (${i}, ${values.join(', ')})`);
    }
    await rs.query(`INSERT INTO fidelity (id) VALUES (${ROWS})`); // every column NULL
    await rs.query(`INSERT INTO fidelity (id, h) SELECT ${ROWS + 1}, HLL_CREATE_SKETCH(n) FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) AS few`);
    await rs.query(`INSERT INTO fidelity (id, h) SELECT ${ROWS + 2}, HLL_CREATE_SKETCH(g) FROM generate_series(1, 20000) AS g`);
  });
  afterAll(async () => rs?.end());

  const targetColumns: [string, string][] = [...MATRIX.map(([name, , target]) => [name, target] as [string, string]), ['h', 'text']];

  it.each(['copy', 'aws_s3'])('the matrix, value by value (load.method %s)', async (method) => {
    const table = `fidelity_${method}`;
    await env.dst.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, ${targetColumns.map(([n, t]) => `${n} ${t}`).join(', ')})`);
    const result = await run(
      {
        source: { connection: 'redshift', table: 'public.fidelity' },
        target: { connection: 'postgres', table: `public.${table}` },
        load: { method, maxParallelLoads: 2 },
      },
      table,
    );
    expect(result.rows).toBe(ROWS + 3);
    const sourceRows = await canonicalRows(env.src, 'fidelity', [['id', 'integer'], ...targetColumns], 'id');
    const targetRows = await canonicalRows(env.dst, table, [['id', 'integer'], ...targetColumns], 'id');
    for (const [i, row] of sourceRows.entries()) expect(targetRows[i]).toEqual(row);
    expect(targetRows).toHaveLength(sourceRows.length);
    // SQL NULL and JSON null stay apart; empty VARBYTE is not NULL.
    const nulls = await env.dst.query(
      `SELECT (SELECT j FROM ${table} WHERE id = 0) AS json_null, (SELECT j IS NULL FROM ${table} WHERE id = ${ROWS}) AS sql_null, (SELECT octet_length(vb) FROM ${table} WHERE id = 1) AS empty_bytes`,
    );
    expect(nulls.rows[0]).toEqual({ json_null: null, sql_null: true, empty_bytes: 0 });
    const jsonNull = await env.dst.query(`SELECT jsonb_typeof(j) AS t FROM ${table} WHERE id = 0`);
    expect(jsonNull.rows[0].t).toBe('null');
  });

  it('PostgreSQL bytea and jsonb columns (what redshift-local has for VARBYTE and SUPER) arrive unchanged', async () => {
    await env.src.query(`CREATE TABLE blobs (id int, b bytea, j jsonb)`);
    await env.src.query(`INSERT INTO blobs VALUES (1, '\\x00ff5c0a', '{"a": [1, "|\\\\"]}'), (2, '', 'null'), (3, NULL, NULL), (4, '\\x5c4e', '"\\\\N"')`);
    await env.dst.query(`CREATE TABLE blobs (id int, b bytea, j jsonb)`);
    await run({ source: { connection: 'redshift', table: 'blobs' }, target: { connection: 'postgres', table: 'blobs' } }, 'blobs');
    const rows = await env.dst.query(`SELECT id, encode(b, 'hex') AS hex, j::text AS j FROM blobs ORDER BY id`);
    expect(rows.rows).toEqual([
      { id: 1, hex: '00ff5c0a', j: '{"a": [1, "|\\\\"]}' },
      { id: 2, hex: '', j: 'null' },
      { id: 3, hex: null, j: null },
      { id: 4, hex: '5c4e', j: '"\\\\N"' },
    ]);
  });

  it('an upsert keyed on a VARBYTE column matches on the bytes', async () => {
    await env.src.query(`CREATE TABLE keyed (k bytea, v int)`);
    await env.src.query(`INSERT INTO keyed VALUES ('\\x01', 10), ('\\x02', 20)`);
    await env.dst.query(`CREATE TABLE keyed (k bytea PRIMARY KEY, v int)`);
    await env.dst.query(`INSERT INTO keyed VALUES ('\\x01', 1), ('\\x03', 3)`);
    await run({ source: { connection: 'redshift', table: 'keyed' }, target: { connection: 'postgres', table: 'keyed', mode: 'upsert', key: ['k'] } }, 'keyed');
    const rows = await env.dst.query(`SELECT encode(k, 'hex') AS k, v FROM keyed ORDER BY k`);
    expect(rows.rows).toEqual([
      { k: '01', v: 10 },
      { k: '02', v: 20 },
      { k: '03', v: 3 },
    ]);
  });

  it('a source column of a type outside Redshift (uuid) is refused by name before anything is unloaded', async () => {
    await env.dst.query(`CREATE TABLE refused_uuid (id int, u text)`);
    await env.dst.query(`INSERT INTO refused_uuid VALUES (42, 'kept')`);
    const err = await run(
      { source: { connection: 'redshift', query: 'select 1 as id, gen_random_uuid() as u' }, target: { connection: 'postgres', table: 'refused_uuid' } },
      'refused-uuid',
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    const cause = (err as WorkflowFailedError).cause as { message: string; type?: string; nonRetryable?: boolean };
    expect(cause).toMatchObject({ type: 'TypeMismatch', nonRetryable: true });
    expect(cause.message).toBe(
      'source query returns column "u" of type oid 2950, which is not a Redshift type ferry knows how to move exactly: cast it in source.query to one of the types in docs/types.md',
    );
    expect((await env.dst.query('SELECT id, u FROM refused_uuid')).rows).toEqual([{ id: 42, u: 'kept' }]);
    const unloaded = [];
    for await (const o of listObjects(s3, stack.bucket, 'ferry/public.refused_uuid/')) unloaded.push(o.key);
    expect(unloaded).toEqual([]);
  });

  describe('a target column that would change values is refused before anything is unloaded', () => {
    beforeAll(async () => {
      await rs.query(
        `CREATE TABLE wide_types (id INT, vb VARBYTE, j SUPER, tstz TIMESTAMPTZ, d DECIMAL(38,10), vc VARCHAR(200), code VARCHAR(10), g GEOMETRY)`,
      );
      await rs.query(
        `INSERT INTO wide_types VALUES (1, FROM_HEX('00'), JSON_PARSE('{}'), '2024-01-01 00:00:00+00', 1.5, 'x', '7', ST_GeomFromText('POINT(0 0)'))`,
      );
    });

    it.each([
      ['vb', 'text', 'VARBYTE(64000)', 'bytea'],
      ['j', 'varchar(1000)', 'SUPER', 'jsonb'],
      ['tstz', 'timestamp', 'TIMESTAMPTZ', 'timestamptz'],
      ['d', 'numeric(12,2)', 'DECIMAL(38,10)', 'numeric(38,10)'],
      ['vc', 'varchar(20)', 'VARCHAR(200)', 'varchar(200)'],
      ['code', 'integer', 'VARCHAR(10)', 'varchar(10)'],
      ['g', 'text', 'GEOMETRY', 'geometry'],
    ])('%s into %s', async (column, targetType, sourceType, mapped) => {
      const table = `refused_${column}`;
      await env.dst.query(`CREATE TABLE ${table} (id int, ${column} ${targetType})`);
      await env.dst.query(`INSERT INTO ${table} (id) VALUES (42)`);
      const err = await run(
        { source: { connection: 'redshift', query: `select id, ${column} from wide_types` }, target: { connection: 'postgres', table } },
        table,
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      const cause = (err as WorkflowFailedError).cause as { message: string; type?: string; nonRetryable?: boolean };
      expect(cause.type).toBe('TypeMismatch');
      expect(cause.nonRetryable).toBe(true);
      expect(cause.message).toContain(`column "${column}" is ${sourceType} in the source and `);
      expect(cause.message).toContain(
        `Fix: change the target column (ALTER TABLE public.${table} ALTER COLUMN "${column}" TYPE ${mapped}), or convert the value in source.query`,
      );
      if (column === 'g') expect(cause.message).toContain('CREATE EXTENSION postgis');
      expect((await env.dst.query(`SELECT id, ${column} FROM ${table}`)).rows).toEqual([{ id: 42, [column]: null }]);
      const unloaded = [];
      for await (const o of listObjects(s3, stack.bucket, `ferry/public.${table}/`)) unloaded.push(o.key);
      expect(unloaded).toEqual([]);
    });
  });
});
