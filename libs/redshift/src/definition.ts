import { quoteIdent, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import type { SourceTableDefinition } from '@ferry/type-map';
import type { SourceColumn } from './columns';
import type { SourceRelation } from './relation';

// What Redshift's catalog says about a source table beyond its column types (which come from
// the result description, columns.ts): NOT NULL, defaults (identity included), comments,
// informational primary and unique keys, and the sort key. Relations, as Redshift documents
// them: SVV_COLUMNS (every table and view the user may see, with column_default and remarks),
// PG_CONSTRAINT with PG_ATTRIBUTE for the informational keys, PG_TABLE_DEF for sort keys (it
// lists only tables in the search_path, so the schema is put there for the query).

export interface ColumnFactRow {
  column_name: string;
  is_nullable: string;
  column_default: string | null;
  remarks: string | null;
}

export interface KeyConstraintRow {
  contype: string;
  /** An array over the wire; the Data API hands arrays back as their text, `{1,2}`. */
  conkey: number[] | string;
}

export interface AttributeRow {
  attnum: number;
  attname: string;
}

export interface SortKeyRow {
  column: string;
}

export interface TableCommentRow {
  description: string | null;
}

export const selectColumnFacts = (table: QualifiedName): Statement =>
  statement(`SELECT column_name, is_nullable, column_default, remarks FROM svv_columns WHERE table_schema = $1 AND table_name = $2`, [
    table.schema,
    table.name,
  ]);

// Key columns by number, named in JavaScript: no array functions newer than Redshift's catalog engine.
export const selectKeyConstraints = (table: QualifiedName): Statement =>
  statement(
    `SELECT c.contype, c.conkey FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND c.contype IN ('p', 'u') ORDER BY c.contype, c.conname`,
    [table.schema, table.name],
  );

export const selectAttributes = (table: QualifiedName): Statement =>
  statement(
    `SELECT a.attnum, a.attname FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND a.attnum > 0`,
    [table.schema, table.name],
  );

/** PG_TABLE_DEF shows a table only while its schema is on the search_path. */
export const setSearchPath = (schema: string): Statement => statement(`SET search_path TO ${quoteIdent(schema)}`);

export const selectSortKey = (table: QualifiedName): Statement =>
  statement(`SELECT "column" FROM pg_table_def WHERE schemaname = $1 AND tablename = $2 AND sortkey <> 0 ORDER BY abs(sortkey)`, [table.schema, table.name]);

export const selectTableComment = (table: QualifiedName): Statement =>
  statement(
    `SELECT d.description FROM pg_description d JOIN pg_class r ON r.oid = d.objoid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND d.objsubid = 0`,
    [table.schema, table.name],
  );

/** A source's definition for creating its target; a query has no catalog entry, so its columns are all that is known. */
export async function readDefinition(session: Session, source: SourceRelation, columns: SourceColumn[]): Promise<SourceTableDefinition> {
  if (!source.table) return { columns: columns.map((c) => ({ name: c.name, type: c.type, notNull: false })), unique: [], sortKey: [] };
  const table = source.table;
  const facts = new Map((await run<ColumnFactRow>(session, selectColumnFacts(table))).rows.map((r) => [r.column_name, r]));
  const constraints = (await run<KeyConstraintRow>(session, selectKeyConstraints(table))).rows;
  const attname = new Map((await run<AttributeRow>(session, selectAttributes(table))).rows.map((a) => [Number(a.attnum), a.attname]));
  const keys = constraints.map((k) => ({ contype: k.contype, columns: attributeNumbers(k.conkey).map((n) => attname.get(n)!) }));
  await run(session, setSearchPath(table.schema));
  const sortKey = (await run<SortKeyRow>(session, selectSortKey(table))).rows.map((r) => r.column);
  const comment = (await run<TableCommentRow>(session, selectTableComment(table))).rows[0]?.description;

  return {
    columns: columns.map((c) => {
      const row = facts.get(c.name);
      return {
        name: c.name,
        type: c.type,
        notNull: row?.is_nullable === 'NO',
        ...(row?.column_default != null && { default: row.column_default }),
        ...(row?.remarks && { comment: row.remarks }),
      };
    }),
    primaryKey: keys.find((k) => k.contype === 'p')?.columns,
    unique: keys.filter((k) => k.contype === 'u').map((k) => k.columns),
    sortKey,
    ...(comment && { comment }),
  };
}

function attributeNumbers(conkey: number[] | string): number[] {
  return typeof conkey === 'string' ? conkey.replace(/[{}]/g, '').split(',').filter(Boolean).map(Number) : conkey.map(Number);
}
