import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import type { TargetType } from '@ferry/type-map';

// What the target's catalog says about a table: its columns, its primary key, whether it
// exists, has rows, is referenced. Each read is a planned statement and a reader that names
// its rows.

export interface TargetColumn {
  name: string;
  generated: boolean;
  identity: boolean;
  type: TargetType;
}

interface ColumnRow {
  attname: string | null;
  attgenerated: string;
  attidentity: string;
  base: string;
  typmod: number;
  display: string;
}

/** One row per column in order (a domain as its base type and modifier); a single all-NULL row for a table without columns; none when the table does not exist. */
export const selectTargetColumns = (table: QualifiedName): Statement =>
  statement(
    `SELECT a.attname, a.attgenerated, a.attidentity, b.typname AS base,
            CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
            format_type(a.atttypid, a.atttypmod) AS display
       FROM (SELECT to_regclass($1) AS oid) r
       LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
      WHERE r.oid IS NOT NULL
      ORDER BY a.attnum`,
    [quoteQualified(table)],
  );

/** The target's columns with their types, or undefined when the table does not exist. */
export async function describeTarget(session: Session, table: QualifiedName): Promise<TargetColumn[] | undefined> {
  const { rows } = await run<ColumnRow>(session, selectTargetColumns(table));
  if (rows.length === 0) return undefined;
  return rows
    .filter((r) => r.attname !== null)
    .map((r) => ({
      name: r.attname!,
      generated: r.attgenerated !== '',
      identity: r.attidentity !== '',
      type: { base: r.base, typmod: r.typmod, display: r.display },
    }));
}

export const selectPrimaryKey = (table: QualifiedName): Statement =>
  statement(
    `SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY k.n`,
    [quoteQualified(table)],
  );

/** The target's primary key columns, in key order ([] without one). */
export async function primaryKeyOf(session: Session, table: QualifiedName): Promise<string[]> {
  return (await run<{ attname: string }>(session, selectPrimaryKey(table))).rows.map((r) => r.attname);
}

export const selectRelationExists = (name: QualifiedName): Statement => statement(`SELECT to_regclass($1) IS NOT NULL AS present`, [quoteQualified(name)]);

/** Whether a table, index or sequence of that name exists. */
export async function relationExists(session: Session, name: QualifiedName): Promise<boolean> {
  return (await run<{ present: boolean }>(session, selectRelationExists(name))).rows[0].present;
}

export const selectAnyRow = (table: QualifiedName): Statement => statement(`SELECT 1 FROM ${quoteQualified(table)} LIMIT 1`);

export async function hasRows(session: Session, table: QualifiedName): Promise<boolean> {
  return (await run(session, selectAnyRow(table))).rowCount > 0;
}

export const selectReferencingForeignKey = (table: QualifiedName): Statement =>
  statement(`SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = to_regclass($1) AND conrelid <> confrelid LIMIT 1`, [quoteQualified(table)]);

/** Whether another table's foreign key references this one (TRUNCATE refuses such a table). */
export async function isReferencedByForeignKey(session: Session, table: QualifiedName): Promise<boolean> {
  return (await run(session, selectReferencingForeignKey(table))).rowCount > 0;
}

export const selectRowCount = (table: QualifiedName): Statement => statement(`SELECT count(*) AS n FROM ${quoteQualified(table)}`);

export async function countRows(session: Session, table: QualifiedName): Promise<number> {
  return Number((await run<{ n: string }>(session, selectRowCount(table))).rows[0].n);
}

export const selectNullableColumns = (table: QualifiedName, columns: string[]): Statement =>
  statement(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = ANY($2) AND NOT attnotnull AND NOT attisdropped ORDER BY attnum`,
    [quoteQualified(table), columns],
  );

/** Which of these columns may hold NULL (a sync's key may not: its rows could not be matched). */
export async function nullableColumns(session: Session, table: QualifiedName, columns: string[]): Promise<string[]> {
  return (await run<{ name: string }>(session, selectNullableColumns(table, columns))).rows.map((r) => r.name);
}

export const selectRowEstimate = (table: QualifiedName): Statement =>
  statement(`SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass($1)`, [quoteQualified(table)]);

/**
 * The planner's row estimate of a table that has rows, or its count when it was never analyzed
 * (-1; 0 before PostgreSQL 14, as right after a swap).
 */
export async function estimateRows(session: Session, table: QualifiedName): Promise<number> {
  const n = Number((await run<{ n: string }>(session, selectRowEstimate(table))).rows[0]?.n ?? -1);
  return n > 0 ? n : countRows(session, table);
}

/** The column sets of the table's unique indexes (its primary key among them): plain columns, no predicate. */
export const selectUniqueColumnSets = (table: QualifiedName): Statement =>
  statement(
    `SELECT array_agg(a.attname::text ORDER BY a.attname) AS columns FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL GROUP BY i.indexrelid`,
    [quoteQualified(table)],
  );

/** Whether the table guarantees these columns identify one row: a unique index on some of them. */
export async function isUniqueKey(session: Session, table: QualifiedName, key: string[]): Promise<boolean> {
  const sets = (await run<{ columns: string[] }>(session, selectUniqueColumnSets(table))).rows.map((r) => r.columns);
  return sets.some((set) => set.every((c) => key.includes(c)));
}
