import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { ledgerTableFor } from './names';

// The ledger: which parts of a run are committed into staging. A part's COPY and its ledger
// row commit in one transaction, so a retried load finds the row and loads nothing.

export interface LedgerRow {
  rows: number;
  etag: string;
}

export const createLedgerTable = (schema: string): Statement =>
  statement(`CREATE TABLE IF NOT EXISTS ${quoteQualified(ledgerTableFor(schema))} (
       run_id text NOT NULL,
       part text NOT NULL,
       target text NOT NULL,
       etag text NOT NULL,
       rows bigint NOT NULL,
       loaded_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (run_id, part))`);

export const selectLedgerRow = (schema: string, runId: string, part: string): Statement =>
  statement(`SELECT rows, etag FROM ${quoteQualified(ledgerTableFor(schema))} WHERE run_id = $1 AND part = $2`, [runId, part]);

export const insertLedgerRow = (schema: string, row: { runId: string; part: string; target: QualifiedName; etag: string; rows: number }): Statement =>
  statement(`INSERT INTO ${quoteQualified(ledgerTableFor(schema))} (run_id, part, target, etag, rows) VALUES ($1, $2, $3, $4, $5)`, [
    row.runId,
    row.part,
    quoteQualified(row.target),
    row.etag,
    row.rows,
  ]);

export async function readLedgerRow(session: Session, schema: string, runId: string, part: string): Promise<LedgerRow | undefined> {
  const { rows } = await run<{ rows: string; etag: string }>(session, selectLedgerRow(schema, runId, part));
  return rows[0] && { rows: Number(rows[0].rows), etag: rows[0].etag };
}
