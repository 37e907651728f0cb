import { Context } from '@temporalio/activity';
import { takeTargetLease, type LeaseHolder, type Run } from '@ferry/postgres';
import { quoteQualified, type QualifiedName, type Session } from '@ferry/sql';
import { FailureType, nonRetryable } from './failures';
import { workflowRunIdOf } from '@ferry/contract';

export { releaseTargetLease } from '@ferry/postgres';

/** Takes the target's lease for this run (@ferry/postgres, lease.ts), or fails TargetBusy naming the run that holds it. */
export async function acquireTargetLease(session: Session, schema: string, target: QualifiedName, me: Run): Promise<void> {
  const outcome = await takeTargetLease(session, schema, target, me, isRunning);
  if (!outcome.taken) throw targetBusy(target, outcome.holder);
}

function targetBusy(target: QualifiedName, holder: LeaseHolder) {
  return nonRetryable(
    `target ${quoteQualified(target)} is being loaded by workflow ${holder.workflowId} (run ${holder.runId}, started ${holder.startedAt.toISOString()}): wait for it to finish or cancel it with \`temporal workflow cancel --workflow-id ${holder.workflowId}\``,
    FailureType.targetBusy,
  );
}

/** Whether the lease's holder still runs, as Temporal knows it: a holder that crashed or ended leaves its lease to be taken over. */
async function isRunning(holder: LeaseHolder): Promise<boolean> {
  try {
    const description = await Context.current().client.workflow.getHandle(holder.workflowId, workflowRunIdOf(holder.runId)).describe();
    return description.status.name === 'RUNNING';
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError') return false;
    throw err;
  }
}
