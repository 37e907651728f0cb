import { log } from '@temporalio/activity';
import { deletePrefix } from '@ferry/s3';
import { postgresConnection, redshiftConnection } from '@ferry/config';
import { cancelStatementsNamed, runStatementsPrefix } from '@ferry/redshift';
import { quoteQualified, run } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { dropStaging, leasesExist } from '@ferry/postgres';
import { acquireTargetLease, releaseTargetLease } from './run-lease';
import { locateTarget, type TargetLocations } from './target-locations';
import type { CleanupResult, CleanupTargetInput, TransferPlan } from '@ferry/contract';

/**
 * After a run: its staging table, ledger rows, S3 files and lease go. Idempotent. Over the Data
 * API an UNLOAD can outlive its activity (left for a next attempt that never came: the run was
 * cancelled between attempts, or failed); it is cancelled first, so it writes nothing after.
 */
export async function cleanup(deps: ActivityDeps, plan: TransferPlan): Promise<CleanupResult> {
  const source = redshiftConnection(deps.config, plan.source.connection);
  if (source.transport === 'data-api') {
    try {
      const cancelled = await cancelStatementsNamed(deps.sessions.dataApi(source), runStatementsPrefix(plan.runId));
      if (cancelled.length > 0) log.info("cancelled the run's UNLOAD left running", { statementIds: cancelled });
    } catch (err) {
      // The rest of the cleanup still matters; an UNLOAD left running writes only into this run's folder.
      log.warn("could not list the run's Data API statements to cancel any left running (redshift-data:ListStatements, docs/iam.md section 5)", {
        error: (err as Error).message,
      });
    }
  }
  const where: TargetLocations = {
    connection: postgresConnection(deps.config, plan.target.connection),
    table: plan.target.table,
    staging: plan.target.staging,
    bucket: plan.s3.bucket,
    folder: plan.s3.folder,
  };
  return removeLeftovers(deps, where, plan.runId, plan.s3.prefix);
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

/**
 * A run's staging table, lease and S3 files: the run's own folder (`files`), or on request every
 * run folder of the target. The target's folder is named by its table alone, so a table of the
 * same name in another database shares it: a run must not delete what it cannot know is idle.
 */
export async function removeLeftovers(deps: ActivityDeps, where: TargetLocations, leaseHolder: string, files = where.folder): Promise<CleanupResult> {
  await deps.sessions.use(where.connection, 'ferry cleanup', async (client) => {
    await run(client, dropStaging(where.staging));
    await releaseTargetLease(client, where.staging.schema, where.table, leaseHolder);
  });
  const objectsDeleted = await deletePrefix(deps.s3, where.bucket, files);
  log.info('cleaned up', { target: quoteQualified(where.table), objectsDeleted });
  return { objectsDeleted };
}
