import { createHash } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
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
}

/**
 * The UNLOAD this attempt should run or wait for; `earlier` when it is an earlier attempt's,
 * whose folder and registered parts this attempt takes over. A worker that died while its UNLOAD ran
 * leaves the statement running in the warehouse (the Data API runs it up to 24 hours): the next
 * attempt finds it in the last heartbeat details and waits for it, into its folder, rather than
 * unloading everything again. One that failed or was cancelled is not resumed: this attempt
 * unloads into its own folder under a token of its own. A record without an Id (the worker
 * died before the Data API answered) is sent again with its token, which returns the statement
 * if it started and starts it if not.
 */
export async function dataApiAttempt(api: RedshiftDataClient): Promise<{ record: DataApiUnloadRecord; resume?: string; earlier: boolean }> {
  const info = activityInfo();
  const recorded = (info.heartbeatDetails as { dataApi?: DataApiUnloadRecord } | undefined)?.dataApi;
  const fresh = { attempt: info.attempt, clientToken: clientTokenFor(info.attempt) };
  if (!recorded) return { record: fresh, earlier: false };
  if (!recorded.statementId) return { record: recorded, earlier: true };
  const described = await describeStatement(api, recorded.statementId).catch(() => undefined);
  return described && resumable(described) ? { record: recorded, resume: recorded.statementId, earlier: true } : { record: fresh, earlier: false };
}

/** Deterministic per workflow run, activity and attempt, within the Data API's 64 characters. */
function clientTokenFor(attempt: number): string {
  const { workflowExecution, activityId } = activityInfo();
  const digest = createHash('sha256')
    .update(JSON.stringify([workflowExecution?.workflowId, workflowExecution?.runId, activityId, attempt]))
    .digest('hex');
  return `ferry-${digest.slice(0, 48)}`;
}
