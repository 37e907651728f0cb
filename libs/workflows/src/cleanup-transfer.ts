import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { FailureType, type CleanupResult, type FerryActivities } from '@ferry/contract';
import { surfaceCause } from './failures';

const { cleanupTarget } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '30m',
  retry: { maximumAttempts: 5 },
});

export interface CleanupTransferInput {
  target: { connection: string; table: string };
  s3?: { bucket?: string; prefix?: string };
}

/**
 * Removes what failed runs of a target left for inspection: the staging table, ledger rows
 * and S3 files. Refuses (TargetBusy) while a transfer of that target is running.
 */
export async function cleanupTransfer(input: CleanupTransferInput): Promise<CleanupResult> {
  if (typeof input?.target?.connection !== 'string' || typeof input.target.table !== 'string') {
    throw ApplicationFailure.nonRetryable(
      'invalid cleanupTransfer input: expected {"target": {"connection": "…", "table": "schema.table"}}',
      FailureType.invalidInput,
    );
  }
  const { workflowId, runId } = workflowInfo();
  try {
    return await cleanupTarget.executeWithOptions({ summary: `clean up ${input.target.table}` }, [{ workflowId, runId, target: input.target, s3: input.s3 }]);
  } catch (err) {
    throw surfaceCause(err);
  }
}
