import { inTransaction, quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { leaseTableFor, ledgerTableFor, partsTableFor, syncSegmentsTableFor } from './names';

// One run per target at a time. The staging table belongs to the target, so two runs loading
// the same table would overwrite each other's staging. A run takes the target's lease in
// `prepare` and gives it back when it cleans up; a lease whose workflow no longer runs
// (crashed, failed, terminated) is taken over.

export interface LeaseHolder {
  workflowId: string;
  runId: string;
  startedAt: Date;
}

export interface Run {
  workflowId: string;
  runId: string;
}

const table = (schema: string) => quoteQualified(leaseTableFor(schema));

export const createLeaseTable = (schema: string): Statement =>
  statement(`CREATE TABLE IF NOT EXISTS ${table(schema)} (
    target text PRIMARY KEY,
    workflow_id text NOT NULL,
    run_id text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now())`);

export const insertFreeLease = (schema: string, target: QualifiedName, me: Run): Statement =>
  statement(`INSERT INTO ${table(schema)} (target, workflow_id, run_id) VALUES ($1, $2, $3) ON CONFLICT (target) DO NOTHING`, [
    quoteQualified(target),
    me.workflowId,
    me.runId,
  ]);

export const selectLeaseForUpdate = (schema: string, target: QualifiedName): Statement =>
  statement(`SELECT workflow_id, run_id, started_at FROM ${table(schema)} WHERE target = $1 FOR UPDATE`, [quoteQualified(target)]);

export const insertLease = (schema: string, target: QualifiedName, me: Run): Statement =>
  statement(`INSERT INTO ${table(schema)} (target, workflow_id, run_id) VALUES ($1, $2, $3)`, [quoteQualified(target), me.workflowId, me.runId]);

export const takeOverLease = (schema: string, target: QualifiedName, me: Run): Statement =>
  statement(`UPDATE ${table(schema)} SET workflow_id = $2, run_id = $3, started_at = now() WHERE target = $1`, [
    quoteQualified(target),
    me.workflowId,
    me.runId,
  ]);

/** The lease, the target's ledger rows, registered parts and sync segments (its staging table is gone) go in one statement. */
export const releaseLeaseAndLedger = (schema: string, target: QualifiedName, runId: string): Statement =>
  statement(
    `WITH ledger AS (DELETE FROM ${quoteQualified(ledgerTableFor(schema))} WHERE target = $1), parts AS (DELETE FROM ${quoteQualified(partsTableFor(schema))} WHERE target = $1), segments AS (DELETE FROM ${quoteQualified(syncSegmentsTableFor(schema))} WHERE target = $1) DELETE FROM ${table(schema)} WHERE target = $1 AND run_id = $2`,
    [quoteQualified(target), runId],
  );

/**
 * Takes the target's lease for `me`: a free target takes one statement; a held lease is read
 * under a row lock and taken over when its holder no longer runs (`isRunning` asks Temporal).
 * Returns the holder when it still runs.
 */
export async function takeTargetLease(
  session: Session,
  schema: string,
  target: QualifiedName,
  me: Run,
  isRunning: (holder: LeaseHolder) => Promise<boolean>,
): Promise<{ taken: true } | { taken: false; holder: LeaseHolder }> {
  if ((await run(session, insertFreeLease(schema, target, me))).rowCount === 1) return { taken: true };
  return inTransaction(session, async (tx) => {
    const { rows } = await run<{ workflow_id: string; run_id: string; started_at: Date }>(tx, selectLeaseForUpdate(schema, target));
    const held = rows[0];
    if (!held) {
      await run(tx, insertLease(schema, target, me));
      return { taken: true } as const;
    }
    if (held.run_id === me.runId) return { taken: true } as const;
    const holder = { workflowId: held.workflow_id, runId: held.run_id, startedAt: held.started_at };
    // Thrown to roll back: the row lock is released, nothing changed.
    if (await isRunning(holder)) throw new LeaseHeld(holder);
    await run(tx, takeOverLease(schema, target, me));
    return { taken: true } as const;
  }).catch((err: unknown) => {
    if (err instanceof LeaseHeld) return { taken: false, holder: err.holder } as const;
    throw err;
  });
}

class LeaseHeld extends Error {
  constructor(readonly holder: LeaseHolder) {
    super(`lease held by ${holder.workflowId}`);
  }
}

const UNDEFINED_TABLE = '42P01';

/** Without the bookkeeping tables (nothing was ever prepared here) there is nothing to release. */
export async function releaseTargetLease(session: Session, schema: string, target: QualifiedName, runId: string): Promise<void> {
  try {
    await run(session, releaseLeaseAndLedger(schema, target, runId));
  } catch (err) {
    if ((err as { code?: string }).code !== UNDEFINED_TABLE) throw err;
  }
}
