import { log } from '@temporalio/activity';
import { deletePrefix } from '@ferry/s3';
import { postgresConnection } from '@ferry/config';
import { quoteQualified, run } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { dropStaging, leasesExist } from '@ferry/postgres';
import { acquireTargetLease, releaseTargetLease } from './run-lease';
import { locateTarget, type TargetLocations } from './target-locations';
import type { CleanupResult, CleanupTargetInput, TransferPlan } from '@ferry/contract';

/** After a run: its staging table, ledger rows, S3 files and lease go. Idempotent. */
export async function cleanup(deps: ActivityDeps, plan: TransferPlan): Promise<CleanupResult> {
  const where: TargetLocations = {
    connection: postgresConnection(deps.config, plan.target.connection),
    table: plan.target.table,
    staging: plan.target.staging,
    bucket: plan.s3.bucket,
    folder: plan.s3.folder,
  };
  return removeLeftovers(deps, where, plan.runId);
}

/**
 * What a failed run left behind for inspection (staging table, ledger rows, S3 files),
 * removed on request. Refuses while a transfer of the target is running.
 */
export async function cleanupTarget(deps: ActivityDeps, input: CleanupTargetInput): Promise<CleanupResult> {
  const where = locateTarget(deps, input.target, input.s3);
  await deps.sessions.use(where.connection, 'ferry cleanup', async (client) => {
    if (await leasesExist(client, where.staging.schema)) {
      await acquireTargetLease(client, where.staging.schema, where.table, { workflowId: input.workflowId, runId: input.runId });
    }
  });
  return removeLeftovers(deps, where, input.runId);
}

/** A run's staging table, lease and the target's S3 files. */
export async function removeLeftovers(deps: ActivityDeps, where: TargetLocations, leaseHolder: string): Promise<CleanupResult> {
  await deps.sessions.use(where.connection, 'ferry cleanup', async (client) => {
    await run(client, dropStaging(where.staging));
    await releaseTargetLease(client, where.staging.schema, where.table, leaseHolder);
  });
  // The lease is ours (or was), so every run folder of this target is a leftover.
  const objectsDeleted = await deletePrefix(deps.s3, where.bucket, where.folder);
  log.info('cleaned up', { target: quoteQualified(where.table), objectsDeleted });
  return { objectsDeleted };
}
