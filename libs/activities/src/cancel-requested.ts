import type { Context } from '@temporalio/activity';

/**
 * Whether this attempt was aborted because someone cancelled it (the run, its workflow), as
 * opposed to its worker shutting down, the server timing the attempt out, or a pause. Only the
 * first should stop work that outlives the worker (a Data API UNLOAD): after the others a next
 * attempt takes that work over. Servers that send no cancellation details say CANCELLED in the
 * abort's reason (the SDK's CancelledFailure message).
 */
export function cancelRequested(ctx: Context): boolean {
  const details = ctx.cancellationDetails;
  if (details) return details.cancelRequested;
  return (ctx.cancellationSignal.reason as Error | undefined)?.message === 'CANCELLED';
}
