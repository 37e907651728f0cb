import { statement, type Session, type Statement } from '@ferry/sql';
import { sourceTypeOf, type SourceType } from '@ferry/type-map';
import type { SourceRelation } from './relation';

export interface SourceColumn {
  name: string;
  type: SourceType;
}

/** One column of a result description, as the wire protocol's RowDescription gives it. */
export interface ResultField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

/** A session whose results carry their description (node-postgres' Client and PoolClient do). */
export interface DescribingSession extends Session {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null; fields: ResultField[] }>;
}

/** What the description says; the caller decides whether a repeated name or an unknown type fails the transfer. */
export interface DescribedColumns {
  columns: SourceColumn[];
  /** Names that occur more than once, each once. */
  repeated: string[];
  /** Columns whose type is not one of Redshift's that the type map knows. */
  unknown: { name: string; oid: number }[];
}

/** No rows, only the description of the very SELECT that will be unloaded. */
export const selectNoRows = (source: SourceRelation): Statement => statement(`SELECT * FROM ${source.from} LIMIT 0`);

/**
 * The source's columns and their Redshift types, from the result description of the very
 * SELECT that will be unloaded: the same answer for a table and for a query, in the type
 * OIDs and modifiers Redshift's own drivers read (see the type map).
 */
export async function readColumns(session: DescribingSession, source: SourceRelation): Promise<DescribedColumns> {
  const s = selectNoRows(source);
  const { fields } = await session.query(s.text);
  return describeFields(fields);
}

export function describeFields(fields: ResultField[]): DescribedColumns {
  const names = fields.map((f) => f.name);
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  const typed = fields.map((f) => ({ name: f.name, oid: f.dataTypeID, type: sourceTypeOf(f.dataTypeID, f.dataTypeModifier) }));
  return {
    columns: typed.filter((c) => c.type).map((c) => ({ name: c.name, type: c.type! })),
    repeated,
    unknown: typed.filter((c) => !c.type).map((c) => ({ name: c.name, oid: c.oid })),
  };
}
