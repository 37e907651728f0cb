import { ApplicationFailure } from '@temporalio/activity';
import { ConfigError } from '@ferry/config';

/** Failure types a retry cannot fix. Workflows and callers match on these names. */
export const FailureType = {
  invalidInput: 'InvalidInput',
  config: 'ConfigError',
  missingSource: 'SourceNotFound',
  missingTarget: 'TargetNotFound',
  columnMismatch: 'ColumnMismatch',
  typeMismatch: 'TypeMismatch',
  badQuery: 'BadSourceQuery',
  verification: 'VerificationFailed',
  badData: 'BadData',
  s3Access: 'S3AccessDenied',
  targetBusy: 'TargetBusy',
  badKey: 'BadKey',
} as const;

export function nonRetryable(message: string, type: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, cause });
}

/** Turns configuration errors into non-retryable failures; everything else stays retryable. */
export function classify(err: unknown): unknown {
  if (err instanceof ConfigError) return nonRetryable(err.message, FailureType.config);
  return err;
}
