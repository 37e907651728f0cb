import { createHash } from 'node:crypto';
import { activityInfo, log } from '@temporalio/activity';
import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { describeStatement, resumable } from '@ferry/redshift';

/**
 * What an unload over the Data API records in its heartbeat details: the folder attempt its
 * UNLOAD writes, the ClientToken it was sent with, and, once the Data API answered, the
 * statement's Id. Nothing secret: the Id names a statement only its own IAM identity can see.
 */
export interface DataApiUnloadRecord {
  attempt: number;
  clientToken: string;
  statementId?: string;
  /**
   * The attempt that saw the statement FINISHED. An attempt that failed after that (reading the
   * manifest, registering parts) is not followed by another on the same folder: a folder that
   * fails every reader would hold the run there through every retry.
   */
  finishedSeenBy?: number;
}

/**
 * The UNLOAD this attempt should run or wait for; `earlier` when it is an earlier attempt's,
 * whose folder and registered parts this attempt takes over. A worker that died while its UNLOAD ran
 * leaves the statement running in the warehouse (the Data API runs it up to 24 hours): the next
 * attempt finds it in the last heartbeat details and waits for it, into its folder, rather than
 * unloading everything again. One that failed or was cancelled is not resumed: this attempt
 * unloads into its own folder under a token of its own. A record without an Id (the worker
 * died before the Data API answered) is sent again with its token, which returns the statement
 * if it started and starts it if not. `takeOver: false` (a small table's activity, whose retry
 * starts over from prepare) always starts afresh.
 */
export async function dataApiAttempt(
  api: RedshiftDataClient,
  { takeOver = true } = {},
): Promise<{ record: DataApiUnloadRecord; resume?: string; earlier: boolean }> {
  const info = activityInfo();
  const recorded = (info.heartbeatDetails as { dataApi?: DataApiUnloadRecord } | undefined)?.dataApi;
  const fresh = { record: { attempt: info.attempt, clientToken: clientTokenFor(info.attempt) }, earlier: false };
  if (!recorded || !takeOver) return fresh;
  if (!recorded.statementId) return { record: recorded, earlier: true };
  const id = recorded.statementId;
  if (recorded.finishedSeenBy !== undefined) {
    log.info('an earlier attempt failed after its UNLOAD finished; unloading again into a new folder', { statementId: id, attempt: recorded.attempt });
    return fresh;
  }
  let described;
  try {
    described = await describeStatement(api, id);
  } catch (err) {
    // Throttling, a server error, the network: the next attempt asks again. Only a statement the
    // API no longer knows (kept 24 hours) or will not show this identity is given up on: a new
    // UNLOAD into a new folder is correct, only slower.
    const name = (err as Error).name;
    if (name === 'ResourceNotFoundException') {
      log.info("the Data API no longer knows the earlier attempt's UNLOAD; unloading again", { statementId: id });
      return fresh;
    }
    if (name === 'AccessDeniedException') {
      log.warn(
        'the worker may not describe the UNLOAD an earlier attempt started (a different IAM session?); unloading again while that one runs on. ' +
          "Allow redshift-data:DescribeStatement and CancelStatement on every session of the worker's role: docs/iam.md section 5",
        { statementId: id, error: (err as Error).message },
      );
      return fresh;
    }
    throw err;
  }
  if (!resumable(described)) {
    log.info("the earlier attempt's UNLOAD did not finish; unloading again", { statementId: id, status: described.Status });
    return fresh;
  }
  return { record: recorded, resume: id, earlier: true };
}

/** Deterministic per workflow run, activity and attempt, within the Data API's 64 characters. */
function clientTokenFor(attempt: number): string {
  const { workflowExecution, activityId } = activityInfo();
  const digest = createHash('sha256')
    .update(JSON.stringify([workflowExecution?.workflowId, workflowExecution?.runId, activityId, attempt]))
    .digest('hex');
  return `ferry-${digest.slice(0, 48)}`;
}
