import type { Client } from 'pg';
import { quoteIdent, quoteQualified } from '@ferry/sql';
import { createLeaseTableSql } from './run-lease';
import { createLoadedColumnsTableSql } from './loaded-columns';
import { createPublishedTableSql } from './published';
import { ledgerTableFor, publishedTableFor } from './staging';

/**
 * The staging schema with ferry's own tables: the ledger of loaded parts, the leases of
 * running targets, the columns each target last loaded, the last run that published into it.
 * Checked with one query on every run after the first; created (or completed, after an
 * upgrade that added a table) under an advisory lock, because CREATE … IF NOT EXISTS races
 * with itself (a unique violation in pg_type) when every table of a pipeline prepares at once.
 */
export async function ensureBookkeeping(client: Client, schema: string): Promise<void> {
  const present = await client.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [quoteQualified(publishedTableFor(schema))]);
  if (present.rows[0].present) return;
  await client.query('BEGIN');
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('ferry bookkeeping'))`);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await client.query(createLeaseTableSql(schema));
  await client.query(createLoadedColumnsTableSql(schema));
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${quoteQualified(ledgerTableFor(schema))} (
       run_id text NOT NULL,
       part text NOT NULL,
       target text NOT NULL,
       etag text NOT NULL,
       rows bigint NOT NULL,
       loaded_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (run_id, part))`,
  );
  // Last: its presence says the others are there.
  await client.query(createPublishedTableSql(schema));
  await client.query('COMMIT');
}
