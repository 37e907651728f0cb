import type { Client } from 'pg';

/**
 * The text of a value that source (redshift-local's backing database) and target print
 * identically for identical values, by the target column's PostgreSQL type.
 */
export function canonical(column: string, type: string): string {
  const c = `"${column}"`;
  if (type === 'bytea') return `encode(${c}::bytea, 'hex')`;
  if (type === 'jsonb') return `${c}::jsonb::text`;
  if (type === 'geometry' || type === 'geography') return `encode(ST_AsEWKB(${c}::geometry), 'hex')`;
  if (type === 'timetz' || type === 'time with time zone') return `(${c} AT TIME ZONE 'UTC')::text`;
  return `${c}::text`;
}

/** Every row as canonical text per column, in `orderBy` order: equal arrays mean equal tables, value by value. */
export async function canonicalRows(client: Client, table: string, columns: [string, string][], orderBy: string): Promise<unknown[]> {
  await client.query(`SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'`);
  const list = columns.map(([name, type]) => `${canonical(name, type)} AS "${name}"`).join(', ');
  return (await client.query(`SELECT ${list} FROM ${table} ORDER BY ${orderBy}`)).rows;
}

/** Count and an md5 over every row's canonical text, computed in the database: equal means the tables are equal value by value. */
export async function canonicalChecksum(client: Client, table: string, columns: [string, string][]): Promise<{ rows: number; md5: string }> {
  await client.query(`SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'`);
  const row = columns.map(([name, type]) => `coalesce(${canonical(name, type)}, '\\N')`).join(` || '|' || `);
  // Rows in the order of their own text: no key needed, and the same order on both sides.
  const res = await client.query<{ rows: string; md5: string }>(
    `SELECT count(*) AS rows, md5(coalesce(string_agg(r, E'\n' ORDER BY r COLLATE "C"), '')) AS md5 FROM (SELECT ${row} AS r FROM ${table}) AS t`,
  );
  return { rows: Number(res.rows[0].rows), md5: res.rows[0].md5 };
}

/** A table's columns as PostgreSQL describes them: name, format_type, NOT NULL, identity, default. */
export async function columnsOf(
  client: Client,
  table: string,
): Promise<{ name: string; type: string; notNull: boolean; identity: boolean; default: string | null }[]> {
  const res = await client.query(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull", a.attidentity <> '' AS identity, pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table],
  );
  return res.rows;
}
