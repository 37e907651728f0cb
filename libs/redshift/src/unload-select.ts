import { quoteIdent, quoteRedshiftLiteral } from '@ferry/sql';
import { unloadExpression } from '@ferry/type-map';
import type { LoadMode } from '@ferry/contract';
import type { SourceColumn } from './columns';
import type { SourceRelation } from './relation';

/**
 * The SELECT that UNLOAD runs, each column in the expression the type map unloads it with
 * (`*` where the columns are not known yet: `ferry plan` reads no catalog), then `after`:
 * expressions written after the row's columns (the checksum gate's row hash).
 */
export function unloadSelect(source: Pick<SourceRelation, 'from'>, columns: SourceColumn[] | '*', where?: string, after: string[] = []): string {
  const list = [columns === '*' ? '*' : columns.map((c) => unloadExpression(quoteIdent(c.name), c.type)).join(', '), ...after].join(', ');
  const select = `SELECT ${list} FROM ${source.from}`;
  return where ? `${select} WHERE ${where}` : select;
}

/**
 * Incremental appends take rows strictly above the mark; upserts take the mark's own rows
 * again too, which they overwrite harmlessly, so rows that arrived with the same value after
 * the previous run are not missed. `mark` is SQL: a literal, or a description in `ferry plan`.
 */
export function incrementalCondition(column: string, mode: LoadMode, mark: string): string {
  return `${quoteIdent(column)} ${mode === 'upsert' ? '>=' : '>'} ${mark}`;
}

/** The condition for rows past the target's high-water mark, given as text; the literal is untyped, so the source compares it as the column's own type. */
export function afterMark(column: string, mode: LoadMode, after: string): string {
  return incrementalCondition(column, mode, quoteRedshiftLiteral(after));
}
