import type { Context } from '@temporalio/activity';

/**
 * Whether work this attempt started outside the worker (a Data API UNLOAD) should be stopped
 * now that the attempt is aborted. Yes when someone cancelled it (the run, its workflow) or reset
 * the activity; no when its worker is shutting down or the activity was paused: a next attempt
 * takes the work over. When the server no longer knows the attempt (timed out, or its workflow
 * ended), only a workflow still running will retry it: stop the work otherwise. Servers that send
 * no cancellation details say CANCELLED in the abort's reason (the SDK's CancelledFailure message).
 */
export async function stopsWorkOutsideWorker(ctx: Context): Promise<boolean> {
  const details = ctx.cancellationDetails;
  if (!details) return (ctx.cancellationSignal.reason as Error | undefined)?.message === 'CANCELLED';
  if (details.cancelRequested || details.reset) return true;
  if (details.workerShutdown || details.paused) return false;
  return !(await workflowRunning(ctx));
}

/** Temporal unreachable or the answer unclear: running, so the work is left for a next attempt (the run's cleanup cancels what is left). */
async function workflowRunning(ctx: Context): Promise<boolean> {
  const execution = ctx.info.workflowExecution;
  if (!execution) return false;
  try {
    const described = await ctx.client.workflow.getHandle(execution.workflowId, execution.runId).describe();
    return described.status.name === 'RUNNING';
  } catch (err) {
    return (err as Error).name !== 'WorkflowNotFoundError';
  }
}
