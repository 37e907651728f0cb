import { inTransaction, quoteIdent, run, runAll, statement, type Session, type Statement } from '@ferry/sql';
import { relationExists } from './catalog';
import { createLeaseTable } from './lease';
import { createLedgerTable } from './ledger';
import { createLoadedColumnsTable } from './loaded-columns';
import { syncSegmentsTableFor } from './names';
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

/** One query on every run after the first; the creation only when something is missing. */
export async function ensureBookkeeping(session: Session, schema: string): Promise<void> {
  if (await relationExists(session, syncSegmentsTableFor(schema))) return;
  const schemaExists = (await run(session, selectSchema(schema))).rowCount > 0;
  await inTransaction(session, (tx) => runAll(tx, createBookkeeping(schema, { schemaExists })));
}

export const selectSchema = (schema: string): Statement => statement(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
