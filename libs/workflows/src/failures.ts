import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * An activity's non-retryable failure is the real reason: raise it as the workflow's own
 * failure so the CLI and the UI show the message first, not "Activity task failed".
 */
export function surfaceCause(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
    // Details too: VerificationFailed carries the report with the differing keys.
    return ApplicationFailure.create({
      message: err.cause.message,
      type: err.cause.type ?? undefined,
      nonRetryable: true,
      details: err.cause.details as unknown[] | undefined,
      cause: err,
    });
  }
  return err;
}
