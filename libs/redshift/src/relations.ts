import { run, selectSchema, statement, type Session, type Statement } from '@ferry/sql';

// A source schema's tables and views, for expanding a pipeline's discovery entries.

export interface RelationRow {
  table_name: string;
}

/**
 * From SVV_TABLES (AWS: every table and view the user may see, late-binding views
 * included); external and datashare tables are listed with their own types and left out.
 * UNLOAD reads tables and views alike.
 */
export const selectRelations = (schema: string): Statement =>
  statement(`SELECT table_name FROM svv_tables WHERE table_schema = $1 AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY table_name`, [schema]);

export async function schemaExists(session: Session, schema: string): Promise<boolean> {
  return (await run(session, selectSchema(schema))).rowCount > 0;
}

/** The names of the schema's tables and views, sorted. */
export async function listRelations(session: Session, schema: string): Promise<string[]> {
  return (await run<RelationRow>(session, selectRelations(schema))).rows.map((r) => r.table_name);
}
