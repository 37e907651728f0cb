import { psql, run } from './processes';

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
    .map((t) => `DROP TABLE IF EXISTS ${t}; CREATE TABLE ${t} (${columns});
      INSERT INTO ${t} SELECT g, 'row ' || g, g * 1.25, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute' FROM generate_series(1, ${rows}) g;`)
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
