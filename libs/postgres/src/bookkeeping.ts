import { inTransaction, quoteIdent, quoteQualified, run, runAll, selectSchema, statement, type Session, type Statement } from '@ferry/sql';
import { relationExists } from './catalog';
import { createLeaseTable } from './lease';
import { createLedgerTable } from './ledger';
import { createLoadedColumnsTable } from './loaded-columns';
import { bookkeepingTables, syncSegmentsTableFor } from './names';
import { createPartsTable } from './parts-registry';
import { addPublishedSyncColumns, createPublishedTable } from './published';
import { createRunColumnsTable } from './run-columns';
import { createSyncSegmentsTable } from './sync-segments';

/**
 * The staging schema with ferry's own tables: the ledger of loaded parts, the leases of
 * running targets, the columns each target last loaded, the last run that published into it,
 * the columns each target's current run loads, the parts each run's UNLOAD wrote, a sync's
 * differing segments.
 * Created (or completed, after an upgrade that added a table) under an advisory lock, because
 * CREATE … IF NOT EXISTS races with itself (a unique violation in pg_type) when every table of
 * a pipeline prepares at once. The newest table comes last: its presence says the others are
 * there, and its absence after an upgrade that added it makes the next run create it.
 */
export function createBookkeeping(schema: string, { schemaExists = false } = {}): Statement[] {
  return [
    statement(`SELECT pg_advisory_xact_lock(hashtext('ferry bookkeeping'))`),
    // Even IF NOT EXISTS needs CREATE on the database: a schema a DBA made and granted is used as it is.
    ...(schemaExists ? [] : [statement(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`)]),
    createLeaseTable(schema),
    createLoadedColumnsTable(schema),
    createLedgerTable(schema),
    createPublishedTable(schema),
    createRunColumnsTable(schema),
    createPartsTable(schema),
    addPublishedSyncColumns(schema),
    createSyncSegmentsTable(schema),
  ];
}

/** Whether every bookkeeping table is there (the newest is: createBookkeeping). */
export const bookkeepingComplete = (session: Session, schema: string): Promise<boolean> => relationExists(session, syncSegmentsTableFor(schema));

/** One query on every run after the first; the creation only when something is missing. */
export async function ensureBookkeeping(session: Session, schema: string): Promise<void> {
  if (await bookkeepingComplete(session, schema)) return;
  const schemaExists = (await run(session, selectSchema(schema))).rowCount > 0;
  await inTransaction(session, (tx) => runAll(tx, createBookkeeping(schema, { schemaExists })));
}

/**
 * What a run needs of bookkeeping that exists, asked without touching it: CREATE in the schema
 * (staging tables, twins) and reading and writing each table. The bookkeeping tables ferry's
 * user lacks a privilege on, by name.
 */
export const selectBookkeepingPrivileges = (schema: string): Statement =>
  statement(
    `SELECT has_schema_privilege($1, 'CREATE') AS create_in_schema,
            array(SELECT t FROM unnest($2::text[]) AS t
                  WHERE NOT (has_table_privilege(t, 'SELECT') AND has_table_privilege(t, 'INSERT') AND has_table_privilege(t, 'UPDATE') AND has_table_privilege(t, 'DELETE'))) AS lacking`,
    [schema, bookkeepingTables(schema).map(quoteQualified)],
  );
