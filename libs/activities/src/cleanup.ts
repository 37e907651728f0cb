import { log } from '@temporalio/activity';
import { deletePrefix } from '@ferry/s3';
import { postgresConnection } from '@ferry/config';
import { quoteQualified } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { withClient } from './pg/client';
import { ledgerTableFor } from './staging';
import { releaseTargetLease } from './run-lease';
import type { TransferPlan } from './types';

export interface CleanupResult {
  objectsDeleted: number;
}

/** Drops the run's staging table and ledger rows, releases the target, deletes its S3 folder. Idempotent. */
export async function cleanup(deps: ActivityDeps, plan: TransferPlan): Promise<CleanupResult> {
  const connection = postgresConnection(deps.config, plan.target.connection);
  await withClient(connection, 'ferry cleanup', async (client) => {
    await client.query(`DROP TABLE IF EXISTS ${quoteQualified(plan.target.staging)}`);
    await client.query(`DELETE FROM ${quoteQualified(ledgerTableFor(plan.target.staging.schema))} WHERE run_id = $1`, [plan.runId]);
    await releaseTargetLease(client, plan.target.staging.schema, plan.target.table, plan.runId);
  });
  const objectsDeleted = await deletePrefix(deps.s3, plan.s3.bucket, plan.s3.prefix);
  log.info('cleaned up', { objectsDeleted });
  return { objectsDeleted };
}
