import type { Client } from 'pg';
import { Context } from '@temporalio/activity';
import { quoteQualified, type QualifiedName } from '@ferry/sql';
import { leaseTableFor, ledgerTableFor } from './staging';
import { FailureType, nonRetryable } from './failures';

/**
 * One run per target at a time. The staging table belongs to the target, so two runs
 * loading the same table would overwrite each other's staging. A run takes the target's
 * lease in `prepare` and gives it back in `cleanup`; a lease whose workflow is no longer
 * running (crashed, failed, terminated) is taken over.
 */
export async function acquireTargetLease(client: Client, schema: string, target: QualifiedName, me: { workflowId: string; runId: string }): Promise<void> {
  const leases = leaseTable(schema);
  const key = quoteQualified(target);
  // A free target, the usual case, takes one statement; a held lease needs the holder read and checked.
  const taken = await client.query(`INSERT INTO ${leases} (target, workflow_id, run_id) VALUES ($1, $2, $3) ON CONFLICT (target) DO NOTHING`, [key, me.workflowId, me.runId]);
  if (taken.rowCount === 1) return;
  await client.query('BEGIN');
  try {
    const held = await client.query<{ workflow_id: string; run_id: string; started_at: Date }>(
      `SELECT workflow_id, run_id, started_at FROM ${leases} WHERE target = $1 FOR UPDATE`,
      [key],
    );
    const holder = held.rows[0];
    if (!holder) {
      await client.query(`INSERT INTO ${leases} (target, workflow_id, run_id) VALUES ($1, $2, $3)`, [key, me.workflowId, me.runId]);
    } else if (holder.run_id !== me.runId) {
      if (await isRunning(holder.workflow_id, holder.run_id)) {
        throw nonRetryable(
          `target ${key} is being loaded by workflow ${holder.workflow_id} (run ${holder.run_id}, started ${holder.started_at.toISOString()}): wait for it to finish or cancel it with \`temporal workflow cancel --workflow-id ${holder.workflow_id}\``,
          FailureType.targetBusy,
        );
      }
      await client.query(`UPDATE ${leases} SET workflow_id = $2, run_id = $3, started_at = now() WHERE target = $1`, [key, me.workflowId, me.runId]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Gives the lease back together with the target's ledger rows (its staging table is gone), in
 * one statement. Without the bookkeeping tables (nothing was ever prepared here) there is
 * nothing to release.
 */
export async function releaseTargetLease(client: Client, schema: string, target: QualifiedName, runId: string): Promise<void> {
  const ledger = quoteQualified(ledgerTableFor(schema));
  try {
    await client.query(`WITH parts AS (DELETE FROM ${ledger} WHERE target = $1) DELETE FROM ${leaseTable(schema)} WHERE target = $1 AND run_id = $2`, [quoteQualified(target), runId]);
  } catch (err) {
    if ((err as { code?: string }).code !== UNDEFINED_TABLE) throw err;
  }
}

const UNDEFINED_TABLE = '42P01';

export function createLeaseTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${leaseTable(schema)} (
    target text PRIMARY KEY,
    workflow_id text NOT NULL,
    run_id text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now())`;
}

function leaseTable(schema: string): string {
  return quoteQualified(leaseTableFor(schema));
}

async function isRunning(workflowId: string, runId: string): Promise<boolean> {
  try {
    const description = await Context.current().client.workflow.getHandle(workflowId, runId).describe();
    return description.status.name === 'RUNNING';
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return false;
    throw err;
  }
}
