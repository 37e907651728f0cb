/**
 * The proof a transfer carries with its rows: the source computes each row's hash in the
 * UNLOAD's own SELECT (so from the UNLOAD's snapshot, on every slice at once) and writes it
 * as one more column; staging keeps it beside the row under a CHECK, so COPY recomputes each
 * row's hash from its staged values as it writes the row, in the load's own transaction, and
 * finalize only confirms the CHECK still stands (if it does not, one pass over staging finds
 * the rows). No second read of the source or of the rows, and a row that differs is found by
 * its key at once, not by bisecting buckets.
 */
import { quoteIdent, statement, type Statement } from '@ferry/sql';
import { keyText, leafSelectList, rowHash, type SideQuery } from './side-query';

/** The column a run's staging table keeps the source's row hashes in: the whole md5, as a uuid (16 bytes). */
export const CARRIED_HASH_COLUMN = 'ferry_row_hash';
export const CARRIED_HASH_TYPE = 'uuid';

/** The CHECK that makes every row COPY writes into staging prove itself against the hash beside it. */
export const CARRIED_CHECK = 'ferry_row_hash_matches';

/** On the source: the expression the UNLOAD's SELECT writes after the row's columns. */
export function carriedHashExpression(side: SideQuery): string {
  return `${rowHash(side)} AS ${quoteIdent(CARRIED_HASH_COLUMN)}`;
}

const staged = (side: SideQuery) => `CAST(${rowHash(side)} AS uuid)`;

/**
 * On staging, the CHECK each loaded row must pass: its values, as they will be published, hash
 * to what the source wrote beside them (a missing hash fails too). COPY evaluates it on every
 * row as it writes it, in the load's own transaction: no second read of the rows.
 */
export function carriedCheckExpression(side: SideQuery): string {
  return `${staged(side)} IS NOT DISTINCT FROM ${quoteIdent(CARRIED_HASH_COLUMN)}`;
}

const differs = (side: SideQuery) => `${staged(side)} IS DISTINCT FROM ${quoteIdent(CARRIED_HASH_COLUMN)}`;

/** On staging, one pass (when the CHECK is no longer there to vouch for the rows): how many rows' values no longer hash to what they carry. */
export function carriedMismatchCount(side: SideQuery): Statement {
  return statement(`SELECT COUNT(*) AS differing FROM ${side.from} WHERE ${differs(side)}`);
}

/** The first `limit` such rows, described for a diff (key, column hashes), with the hash the source carried. */
export function carriedMismatchRows(side: SideQuery, limit: number): Statement {
  return statement(
    `SELECT ${leafSelectList(side)}, ${quoteIdent(CARRIED_HASH_COLUMN)}::text AS carried FROM ${side.from} WHERE ${differs(side)} LIMIT ${Number(limit)}`,
  );
}

/** On the live source: the rows with these key texts, described the same way. */
export function rowsByKeyStatement(side: SideQuery, keyTexts: string[]): Statement {
  const list = keyTexts.map((_, i) => `$${i + 1}`).join(', ');
  const where = [side.where, `${keyText(side)} IN (${list})`].filter(Boolean).join(' AND ');
  return statement(`SELECT ${leafSelectList(side)} FROM ${side.from} WHERE ${where}`, keyTexts);
}
