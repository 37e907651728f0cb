import type { Client } from 'pg';
import { quoteIdent } from '@ferry/sql';
import type { SourceTableDefinition } from '@ferry/type-map';
import type { SourceColumn, SourceRelation } from './source-columns';

/**
 * What Redshift's catalog says about a source table beyond its column types (which come
 * from the result description, see source-columns.ts): NOT NULL, defaults (identity
 * included), comments, informational primary and unique keys, and the sort key. A query
 * has no catalog entry: its columns are all that is known.
 *
 * Relations, as Redshift documents them: SVV_COLUMNS (every table and view the user may
 * see, with column_default and remarks), PG_TABLE_DEF (sort keys; it lists only tables
 * in the search_path, so the schema is put there for the query), and PG_CONSTRAINT with
 * PG_ATTRIBUTE for the informational keys.
 */
export async function readSourceDefinition(client: Client, source: SourceRelation, columns: SourceColumn[]): Promise<SourceTableDefinition> {
  const bare = { columns: columns.map((c) => ({ name: c.name, type: c.type, notNull: false })), unique: [], sortKey: [] };
  if (!source.table) return bare;
  const { schema, name } = source.table;

  const described = await client.query<{ column_name: string; is_nullable: string; column_default: string | null; remarks: string | null }>(
    `SELECT column_name, is_nullable, column_default, remarks FROM svv_columns WHERE table_schema = $1 AND table_name = $2`,
    [schema, name],
  );
  const byName = new Map(described.rows.map((r) => [r.column_name, r]));

  // Key columns by number, named in JavaScript: no array functions newer than Redshift's catalog engine.
  const constraints = await client.query<{ contype: string; conkey: number[] }>(
    `SELECT c.contype, c.conkey FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND c.contype IN ('p', 'u') ORDER BY c.contype, c.conname`,
    [schema, name],
  );
  const attributes = await client.query<{ attnum: number; attname: string }>(
    `SELECT a.attnum, a.attname FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND a.attnum > 0`,
    [schema, name],
  );
  const attname = new Map(attributes.rows.map((a) => [Number(a.attnum), a.attname]));
  const keys = constraints.rows.map((k) => ({ contype: k.contype, columns: k.conkey.map((n) => attname.get(Number(n))!) }));

  await client.query(`SET search_path TO ${quoteIdent(schema)}`);
  const sort = await client.query<{ column: string }>(
    `SELECT "column" FROM pg_table_def WHERE schemaname = $1 AND tablename = $2 AND sortkey <> 0 ORDER BY abs(sortkey)`,
    [schema, name],
  );
  const comment = await client.query<{ description: string | null }>(
    `SELECT d.description FROM pg_description d JOIN pg_class r ON r.oid = d.objoid JOIN pg_namespace n ON n.oid = r.relnamespace
      WHERE n.nspname = $1 AND r.relname = $2 AND d.objsubid = 0`,
    [schema, name],
  );

  return {
    columns: columns.map((c) => {
      const row = byName.get(c.name);
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
    sortKey: sort.rows.map((r) => r.column),
    ...(comment.rows[0]?.description && { comment: comment.rows[0].description }),
  };
}

/**
 * The tables and views of a source schema (UNLOAD reads both alike), from SVV_TABLES (AWS: every table and view the
 * user may see, late-binding views included; external and datashare tables are listed with
 * their own types and left out here).
 */
export async function listSourceRelations(client: Client, schema: string): Promise<string[]> {
  const res = await client.query<{ table_name: string }>(
    `SELECT table_name FROM svv_tables WHERE table_schema = $1 AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY table_name`,
    [schema],
  );
  return res.rows.map((r) => r.table_name);
}
