import type { DatabaseError } from 'pg';
import { queryRelation, tableRelation, type RedshiftSource, type SourceColumn, type SourceRelation } from '@ferry/redshift';
import { invalidQueryFailure, missingSourceTableFailure, repeatedColumnFailure, unknownTypeFailure } from './failure-messages/source';
import { parseName } from './target-locations';
import type { PrepareInput } from '@ferry/contract';

// The column checks and verify name the source's columns by this module.
export type { SourceColumn, SourceRelation } from '@ferry/redshift';

export function sourceRelation(input: Pick<PrepareInput, 'source'>): SourceRelation {
  return input.source.table ? tableRelation(parseName(input.source.table, 'source.table')) : queryRelation(input.source.query!);
}

/**
 * The source's columns and their Redshift types (see @ferry/redshift's readColumns); a
 * repeated name, a type ferry cannot move, a missing table or an invalid query fails
 * before anything is unloaded.
 */
export async function describeSource(
  reader: Pick<RedshiftSource<unknown>, 'readColumns'>,
  source: SourceRelation,
  connection: string,
): Promise<SourceColumn[]> {
  try {
    const described = await reader.readColumns(source);
    if (described.repeated.length > 0) throw repeatedColumnFailure(described.repeated[0]);
    if (described.unknown.length > 0) throw unknownTypeFailure(source.label, described.unknown);
    return described.columns;
  } catch (err) {
    const code = (err as DatabaseError).code;
    if (source.table && (code === '42P01' || code === '3F000')) throw missingSourceTableFailure(source.label, connection);
    if (!source.table && code && /^(42|22)/.test(code)) throw invalidQueryFailure(connection, err as Error);
    throw err;
  }
}
