import { Context } from '@temporalio/activity';

/**
 * Runs `work` while heartbeating every few seconds. Temporal delivers an activity's
 * cancellation only on a heartbeat, so a long statement must heartbeat to be cancellable;
 * `work` gets the activity's abort signal to stop the database side.
 */
export async function whileHeartbeating<T>(work: (signal: AbortSignal) => Promise<T>, details?: () => unknown, intervalMs = 2_000): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat(details?.());
  const timer = setInterval(() => ctx.heartbeat(details?.()), intervalMs);
  try {
    return await work(ctx.cancellationSignal);
  } catch (err) {
    // A statement we cancelled fails with the database's "canceling statement" error;
    // report the activity as cancelled, which is what happened.
    if (ctx.cancellationSignal.aborted) await ctx.cancelled;
    throw err;
  } finally {
    clearInterval(timer);
  }
}
