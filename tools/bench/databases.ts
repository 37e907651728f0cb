import { psql, run } from './processes';
import { installRedshiftTypes } from '@ferry/redshift-local';

/**
 * The bench's own databases on the machine's PostgreSQL. They are created and dropped here
 * and nowhere else, so the bench never touches ferry_source/ferry_target or a test's data.
 */
export const SOURCE_DB = 'ferry_bench_source';
export const TARGET_DB = 'ferry_bench_target';
export const TABLE = 'public.pgbench_accounts';

/** pgbench_accounts' columns; the target gets them without the primary key (see createTargetTable). */
const ACCOUNTS_COLUMNS = 'aid integer NOT NULL, bid integer, abalance integer, filler character(84)';

export async function recreateDatabases(): Promise<void> {
  await dropDatabases();
  for (const db of [SOURCE_DB, TARGET_DB]) await psql('postgres', `CREATE DATABASE ${db}`);
  // What every Redshift has (its types, functions and catalog views), as setup gives ferry_source.
  await installRedshiftTypes(SOURCE_DB);
}

export async function dropDatabases(): Promise<void> {
  // WITH (FORCE): a worker killed mid-run may leave sessions behind.
  for (const db of [SOURCE_DB, TARGET_DB]) await psql('postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
}

/**
 * Seeds the source with `pgbench -i` through redshift-local, the way a user would fill a
 * Redshift table from a client: pgbench's client-side COPY passes through the proxy.
 */
export async function seedSource(redshiftPort: number, scale: number): Promise<{ rows: number; bytes: number }> {
  await run('pgbench', ['-i', '-q', '-s', String(scale), '-h', '127.0.0.1', '-p', String(redshiftPort), SOURCE_DB]);
  const [rows, bytes] = (await psql(SOURCE_DB, `SELECT count(*), pg_relation_size('${TABLE}') FROM ${TABLE}`)).trim().split('|').map(Number);
  return { rows, bytes };
}

/**
 * The target table every method loads into: same columns, no index, so each method pays
 * for moving rows and nothing else (pgloader's "data only" and ferry's staging table have
 * no indexes either).
 */
export async function createTargetTable(): Promise<void> {
  await psql(TARGET_DB, `DROP TABLE IF EXISTS ${TABLE}; CREATE TABLE ${TABLE} (${ACCOUNTS_COLUMNS})`);
}

/** Empties the target between runs, outside the timed part, and checkpoints so no run pays for the previous run's dirty pages. */
export async function resetTarget(): Promise<void> {
  await psql(TARGET_DB, `TRUNCATE ${TABLE}`);
  await psql(TARGET_DB, 'CHECKPOINT');
}

export async function targetRows(): Promise<number> {
  return Number((await psql(TARGET_DB, `SELECT count(*) FROM ${TABLE}`)).trim());
}

/** The many-small-tables case: `count` source tables of `rows` rows each, and empty targets of the same shape. */
export function smallTableNames(count: number): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `public.t${String(i + 1).padStart(width, '0')}`);
}

export async function createSmallTables(count: number, rows: number): Promise<string[]> {
  const names = smallTableNames(count);
  const columns = 'id integer NOT NULL, name text, amount numeric(12,2), created_at timestamptz';
  const source = names
    .map(
      (t) => `DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (${columns});
      INSERT INTO ${t} SELECT g, 'row ' || g, g * 1.25, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, ${rows}) g;`,
    )
    .join('\n');
  const target = names.map((t) => `DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (${columns});`).join('\n');
  await psql(SOURCE_DB, source);
  await psql(TARGET_DB, target);
  return names;
}

export async function rowsIn(db: string, tables: string[]): Promise<number> {
  const counts = tables.map((t) => `SELECT count(*) AS n FROM ${t}`).join(' UNION ALL ');
  return Number((await psql(db, `SELECT coalesce(sum(n), 0) FROM (${counts}) c`)).trim());
}

/**
 * The wide-values table: a SUPER and a VARBYTE column, generated in the source as PostgreSQL's
 * jsonb and bytea (what redshift-local reports as SUPER and VARBYTE). Target column types are
 * the type map's: jsonb and bytea.
 */
export const WIDE_TABLE = 'public.wide_values';
const WIDE_COLUMNS = 'id integer NOT NULL, j jsonb, b bytea';
/** Value sizes cycle through 1 B, 2 B, 4 B, … 1 MB: 21 steps, ≈ 2 MB of each column per cycle. */
export const WIDE_SIZE_STEPS = 21;

/**
 * Fills the wide table on the backing database with SQL, deterministically: b is `n` bytes
 * of chained sha256 (incompressible, as most binary payloads are), j a JSON object around a
 * base64 string of ≈ n characters. Every 100th row (id ≡ 50) is SQL NULL in both columns,
 * the next (≡ 51) an empty VARBYTE and JSON `null`, so the transfer also has to keep those
 * apart.
 */
export async function createWideTable(rows: number): Promise<{
  rows: number;
  heapBytes: number;
  valueBytes: number;
  maxValueBytes: number;
  unloadedTextBytes: number;
  sourceColumnTypes: { j: string; b: string };
}> {
  await psql(
    SOURCE_DB,
    `DROP TABLE IF EXISTS ${WIDE_TABLE}; CREATE TABLE ${WIDE_TABLE} (${WIDE_COLUMNS});
     INSERT INTO ${WIDE_TABLE}
     SELECT i,
            CASE i % 100 WHEN 50 THEN NULL WHEN 51 THEN 'null'::jsonb
              ELSE jsonb_build_object('id', i, 'size', n, 'tags', jsonb_build_array('wide', i % 7, i % 2 = 0),
                                      'payload', translate(encode(substring(r FROM n / 4 + 1 FOR n * 3 / 4), 'base64'), E'\\n', '')) END,
            CASE i % 100 WHEN 50 THEN NULL WHEN 51 THEN ''::bytea ELSE substring(r FROM 1 FOR n) END
     FROM (SELECT i, n, (SELECT string_agg(sha256(convert_to(i || ':' || k, 'UTF8')), '') FROM generate_series(1, n / 32 + 1) k) AS r
           FROM (SELECT i, floor(power(2, ((i - 1) % ${WIDE_SIZE_STEPS})::float8))::int AS n FROM generate_series(1, ${rows}) i) sizes) s;
     ANALYZE ${WIDE_TABLE};`,
  );
  const types = (
    await psql(
      SOURCE_DB,
      `SELECT string_agg(attname || '=' || format_type(atttypid, atttypmod), ',') FROM pg_attribute WHERE attrelid = '${WIDE_TABLE}'::regclass AND attname IN ('j', 'b')`,
    )
  ).trim();
  const sourceColumnTypes = Object.fromEntries(types.split(',').map((kv) => kv.split('='))) as { j: string; b: string };
  await psql(TARGET_DB, `DROP TABLE IF EXISTS ${WIDE_TABLE}; CREATE TABLE ${WIDE_TABLE} (${WIDE_COLUMNS})`);
  // As unloaded: b as hex, j as JSON_SERIALIZE_TO_VARBYTE's hex, id and the separators.
  const [count, heapBytes, valueBytes, maxValueBytes, unloadedTextBytes] = (
    await psql(
      SOURCE_DB,
      `SELECT count(*), pg_total_relation_size('${WIDE_TABLE}'),
              coalesce(sum(octet_length(b)), 0) + coalesce(sum(octet_length(j::text)), 0),
              greatest(max(octet_length(b)), max(octet_length(j::text))),
              sum(length(id::text) + 3 + 2 * coalesce(octet_length(b), 0) + 2 * coalesce(octet_length(j::text), 0))
       FROM ${WIDE_TABLE}`,
    )
  )
    .trim()
    .split('|')
    .map(Number);
  return { rows: count, heapBytes, valueBytes, maxValueBytes, unloadedTextBytes, sourceColumnTypes };
}

export async function resetWideTarget(): Promise<void> {
  await psql(TARGET_DB, `TRUNCATE ${WIDE_TABLE}`);
  await psql(TARGET_DB, 'CHECKPOINT');
}

/**
 * Each row's digest of its canonical text on one side (`encode(b, 'hex')`, `j::text`; SQL
 * NULL stays NULL, so it differs from JSON `null` and from an empty VARBYTE), by id.
 */
export async function wideDigests(db: string): Promise<Map<number, string>> {
  const out = await psql(db, `SELECT id, coalesce(md5(encode(b, 'hex')), 'NULL') || ':' || coalesce(md5(j::text), 'NULL') FROM ${WIDE_TABLE} ORDER BY id`);
  const digests = new Map<number, string>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [id, digest] = line.split('|');
    if (digests.has(Number(id))) throw new Error(`${db}: id ${id} appears twice in ${WIDE_TABLE}`);
    digests.set(Number(id), digest);
  }
  return digests;
}
