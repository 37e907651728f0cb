import { run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';

// How big tables are: for `ferry init` to order a pipeline's tables by, and for a pipeline to tell a small table.

export interface TableSizeRow {
  table: string;
  tbl_rows: string;
  size: string;
}

export interface TableEstimate {
  table: string;
  rows: number;
  sizeMb: number;
}

/** SVV_TABLE_INFO (AWS: estimated rows, and size in 1 MB blocks); empty tables are not listed there. */
export const selectTableSizes = (schema: string): Statement => statement(`SELECT "table", tbl_rows, size FROM svv_table_info WHERE "schema" = $1`, [schema]);

export async function readTableSizes(session: Session, schema: string): Promise<TableSizeRow[]> {
  return (await run<TableSizeRow>(session, selectTableSizes(schema))).rows;
}

/** Each named table's estimate, largest first; a table SVV_TABLE_INFO does not list counts as empty. */
export function tableEstimates(sizes: TableSizeRow[], tables: string[]): TableEstimate[] {
  const byName = new Map(sizes.map((r) => [r.table, r]));
  return tables
    .map((table) => ({ table, rows: Number(byName.get(table)?.tbl_rows ?? 0), sizeMb: Number(byName.get(table)?.size ?? 0) }))
    .sort((a, b) => b.sizeMb - a.sizeMb || b.rows - a.rows || a.table.localeCompare(b.table));
}

/**
 * One table's row estimate (SVV_TABLE_INFO's tbl_rows, deleted rows not yet vacuumed included).
 * Views and external tables are not listed, nor are empty tables, nor any table when the user
 * may not read the view (AWS: superusers only, unless granted SELECT on it).
 */
export const selectTableRows = (table: QualifiedName): Statement =>
  statement(`SELECT tbl_rows FROM svv_table_info WHERE "schema" = $1 AND "table" = $2`, [table.schema, table.name]);

/** The table's estimated rows, or undefined when SVV_TABLE_INFO does not list it. */
export async function readTableRows(session: Session, table: QualifiedName): Promise<number | undefined> {
  const row = (await run<{ tbl_rows: string }>(session, selectTableRows(table))).rows[0];
  return row ? Number(row.tbl_rows) : undefined;
}
