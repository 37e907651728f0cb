import type { Client, DatabaseError } from 'pg';
import { displayName, quoteQualified, type QualifiedName } from '@ferry/sql';
import { sourceTypeOf, type SourceType } from '@ferry/type-map';
import { FailureType, nonRetryable } from './failures';
import { parseName } from './target-locations';
import type { PrepareInput } from '@ferry/contract';

export interface SourceRelation {
  /** What follows FROM: a quoted table name or a parenthesised query. */
  from: string;
  label: string;
  table?: QualifiedName;
}

export function sourceRelation(input: Pick<PrepareInput, 'source'>): SourceRelation {
  if (input.source.table) {
    const table = parseName(input.source.table, 'source.table');
    return { from: quoteQualified(table), label: displayName(table), table };
  }
  const query = input.source.query!.trim().replace(/;\s*$/, '');
  return { from: `(${query}) AS ferry_source`, label: 'query' };
}

export interface SourceColumn {
  name: string;
  type: SourceType;
}

/**
 * The source's columns and their Redshift types, from the result description of the very
 * SELECT that will be unloaded: the same answer for a table and for a query, in the type
 * OIDs and modifiers Redshift's own drivers read (see the type map).
 */
export async function describeSource(client: Client, source: SourceRelation, connection: string): Promise<SourceColumn[]> {
  try {
    const res = await client.query(`SELECT * FROM ${source.from} LIMIT 0`);
    const names = res.fields.map((f) => f.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw nonRetryable(`source query returns the column ${JSON.stringify(dup)} twice: give each column its own name (AS alias)`, FailureType.badQuery);
    const unknown = res.fields.filter((f) => !sourceTypeOf(f.dataTypeID, f.dataTypeModifier));
    if (unknown.length > 0) {
      throw nonRetryable(
        `source ${source.label} returns ${unknown.map((f) => `column ${JSON.stringify(f.name)} of type oid ${f.dataTypeID}`).join(', ')}, which is not a Redshift type ferry knows how to move exactly: cast it in source.query to one of the types in docs/types.md`,
        FailureType.typeMismatch,
      );
    }
    return res.fields.map((f) => ({ name: f.name, type: sourceTypeOf(f.dataTypeID, f.dataTypeModifier)! }));
  } catch (err) {
    const code = (err as DatabaseError).code;
    if (source.table && (code === '42P01' || code === '3F000')) {
      throw nonRetryable(
        `source table ${source.label} does not exist on connection ${JSON.stringify(connection)}: check source.table (schema.table)`,
        FailureType.missingSource,
      );
    }
    if (!source.table && code && /^(42|22)/.test(code)) {
      throw nonRetryable(`source.query is not a valid query on connection ${JSON.stringify(connection)}: ${(err as Error).message}`, FailureType.badQuery);
    }
    throw err;
  }
}
