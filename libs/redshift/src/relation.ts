import { displayName, quoteQualified, type QualifiedName } from '@ferry/sql';

/** What a transfer reads from the source: a table, or the rows of a query. */
export interface SourceRelation {
  /** What follows FROM: a quoted table name or a parenthesised query. */
  from: string;
  /** How messages and summaries name it. */
  label: string;
  /** Set for a table only: a query has no catalog entry. */
  table?: QualifiedName;
}

export function tableRelation(table: QualifiedName): SourceRelation {
  return { from: quoteQualified(table), label: displayName(table), table };
}

/** A trailing semicolon would end the statement the query is put into. */
export function queryRelation(query: string): SourceRelation {
  return { from: `(${query.trim().replace(/;\s*$/, '')}) AS ferry_source`, label: 'query' };
}
