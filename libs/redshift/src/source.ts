import type { QualifiedName, Statement } from '@ferry/sql';
import type { SourceTableDefinition } from '@ferry/type-map';
import type { DescribedColumns, SourceColumn } from './columns';
import type { SourceRelation } from './relation';
import type { TableSizeRow } from './table-sizes';

/** One UNLOAD, and what else must read the snapshot it read. */
export interface UnloadRun<S, T> {
  /**
   * The UNLOAD, or what decides it by reading the source first in the UNLOAD's transaction
   * (a sync's comparison: the rows it unloads and the sums it compared are one snapshot).
   */
  statement: Statement | ((session: S) => Promise<Statement>);
  /** Runs after the UNLOAD in its transaction, so it reads the rows UNLOAD read (the checksum gate). */
  inSnapshot?: (session: S) => Promise<T>;
  /** What a failed UNLOAD becomes; the error itself when absent. */
  describeError?: (err: Error) => Error;
}

/**
 * The Redshift source as activities and the CLI use it. Today's implementation speaks the
 * wire protocol over one session (wire-source.ts); another transport (the Redshift Data
 * API) implements the same port. `S` is the transport's session, handed to `inSnapshot`.
 */
export interface RedshiftSource<S> {
  /** The columns of a table or query, as the SELECT that will be unloaded describes them. */
  readColumns(source: SourceRelation): Promise<DescribedColumns>;
  /** NOT NULL, defaults, comments, informational keys and the sort key: what creating the target needs. */
  readDefinition(source: SourceRelation, columns: SourceColumn[]): Promise<SourceTableDefinition>;
  schemaExists(schema: string): Promise<boolean>;
  /** The schema's tables and views, sorted by name. */
  listRelations(schema: string): Promise<string[]>;
  readTableSizes(schema: string): Promise<TableSizeRow[]>;
  /** A table's estimated rows; undefined for an empty table, a view, an external table, or without access to the estimates. */
  readTableRows(table: QualifiedName): Promise<number | undefined>;
  /** Runs the UNLOAD under ferry's session settings; with `inSnapshot` or a statement decided first, in one REPEATABLE READ transaction with them. */
  unload<T>(run: UnloadRun<S, T>): Promise<T | undefined>;
}
