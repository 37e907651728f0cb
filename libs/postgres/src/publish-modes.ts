import { quoteIdent, quoteQualified, run, statement, type Session, type Statement } from '@ferry/sql';
import type { TransferPlan } from '@ferry/contract';
import { publishExpression } from '@ferry/type-map';

// The statements that publish staging's rows into the target by each load mode, inside
// finalize's transaction. Staging is either a plain staging table or the twin (whose columns
// are the target's), so either is a valid source.

export type PublishTarget = Pick<TransferPlan['target'], 'table' | 'staging' | 'columns' | 'conversions' | 'key'>;

function names(t: PublishTarget) {
  return {
    target: quoteQualified(t.table),
    staging: quoteQualified(t.staging),
    columns: t.columns.map(quoteIdent).join(', '),
    /** A staged column's published value: the column, or its conversion from the parts' text. */
    value: (column: string) => publishExpression(`s.${quoteIdent(column)}`, t.conversions?.[column]),
  };
}

export function appendRows(t: PublishTarget): Statement {
  const { target, staging, columns, value } = names(t);
  return statement(`INSERT INTO ${target} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${t.columns.map(value).join(', ')} FROM ${staging} AS s`);
}

/**
 * TRUNCATE is fast and keeps views, grants, indexes, constraints and triggers, but is not
 * allowed on a table that other tables reference by foreign key; DELETE is, and still
 * checks those references row by row.
 */
export function replaceRows(t: PublishTarget, referenced: boolean): Statement[] {
  const { target } = names(t);
  return [statement(referenced ? `DELETE FROM ${target}` : `TRUNCATE ${target}`), appendRows(t)];
}

/**
 * Updates rows whose key matches and inserts the others. UPDATE + INSERT … WHERE NOT EXISTS
 * works on every PostgreSQL version and needs no unique index on the target; the SHARE ROW
 * EXCLUSIVE lock keeps concurrent writers from inserting a key between the two statements
 * while readers go on reading.
 */
export function upsertRows(t: PublishTarget): Statement[] {
  const { target, staging, columns, value } = names(t);
  const key = t.key!;
  const match = key.map((k) => `t.${quoteIdent(k)} = ${value(k)}`).join(' AND ');
  const others = t.columns.filter((c) => !key.includes(c));
  const set = others.map((c) => `${quoteIdent(c)} = ${value(c)}`).join(', ');
  return [
    statement(`LOCK TABLE ${target} IN SHARE ROW EXCLUSIVE MODE`),
    ...(others.length > 0 ? [statement(`UPDATE ${target} AS t SET ${set} FROM ${staging} AS s WHERE ${match}`)] : []),
    statement(
      `INSERT INTO ${target} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${t.columns.map(value).join(', ')} FROM ${staging} AS s WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE ${match})`,
    ),
  ];
}

/** A key the staged rows repeat, or hold a NULL in: an upsert could not tell their rows apart. */
export interface RepeatedKey {
  /** The key's columns with the staged values, in key order. */
  values: { column: string; value: unknown }[];
  /** How many staged rows have it (1: a row with a NULL in it). */
  rows: number;
}

export function selectRepeatedKey(t: PublishTarget): Statement {
  const key = t.key!;
  const keyList = key.map(quoteIdent).join(', ');
  return statement(
    `SELECT ${keyList}, count(*) AS n FROM ${quoteQualified(t.staging)} GROUP BY ${keyList} HAVING count(*) > 1 OR ${key.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ')} LIMIT 1`,
  );
}

export async function repeatedKey(session: Session, t: PublishTarget): Promise<RepeatedKey | undefined> {
  const row = (await run<Record<string, unknown>>(session, selectRepeatedKey(t))).rows[0];
  return row && { values: t.key!.map((column) => ({ column, value: row[column] })), rows: Number(row.n) };
}
