/**
 * The proof a transfer carries with its rows: the source computes each row's hash in the
 * UNLOAD's own SELECT (so from the UNLOAD's snapshot, on every slice at once) and writes it
 * as one more column; staging keeps it beside the row, and finalize recomputes every row's
 * hash from the staged values in one pass and compares. No second pass over the source, and
 * a row that differs is found by its key at once, not by bisecting buckets.
 */
import { quoteIdent, statement, type Statement } from '@ferry/sql';
import { keyText, leafSelectList, rowHash, type SideQuery } from './side-query';

/** The column a run's staging table keeps the source's row hashes in. */
export const CARRIED_HASH_COLUMN = 'ferry_row_hash';

/** Hex digits of the row's md5 carried: 64 bits, so a changed row passes unseen with odds of 2^-64, in 17 bytes a row. */
export const CARRIED_DIGITS = 16;

const carried = (side: Pick<SideQuery, 'dialect' | 'columns'>) => `SUBSTRING(${rowHash(side)}, 1, ${CARRIED_DIGITS})`;

/** On the source: the expression the UNLOAD's SELECT writes after the row's columns. */
export function carriedHashExpression(side: SideQuery): string {
  return `${carried(side)} AS ${quoteIdent(CARRIED_HASH_COLUMN)}`;
}

const differs = (side: SideQuery) => `${carried(side)} IS DISTINCT FROM ${quoteIdent(CARRIED_HASH_COLUMN)}`;

/** On staging, one pass: how many rows' values no longer hash to what the source wrote beside them. */
export function carriedMismatchCount(side: SideQuery): Statement {
  return statement(`SELECT COUNT(*) AS differing FROM ${side.from} WHERE ${differs(side)}`);
}

/** The first `limit` such rows, described for a diff (key, column hashes), with the hash the source carried. */
export function carriedMismatchRows(side: SideQuery, limit: number): Statement {
  return statement(
    `SELECT ${leafSelectList(side)}, ${quoteIdent(CARRIED_HASH_COLUMN)} AS carried FROM ${side.from} WHERE ${differs(side)} LIMIT ${Number(limit)}`,
  );
}

/** On the live source: the rows with these key texts, described the same way. */
export function rowsByKeyStatement(side: SideQuery, keyTexts: string[]): Statement {
  const list = keyTexts.map((_, i) => `$${i + 1}`).join(', ');
  const where = [side.where, `${keyText(side)} IN (${list})`].filter(Boolean).join(' AND ');
  return statement(`SELECT ${leafSelectList(side)} FROM ${side.from} WHERE ${where}`, keyTexts);
}
