import { run, statement, type Session, type Statement } from '@ferry/sql';

// How big a schema's tables are, for `ferry init` to order a pipeline's tables by.

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
