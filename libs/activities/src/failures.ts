import { ApplicationFailure } from '@temporalio/activity';
import { ConfigError } from '@ferry/config';
import { describeS3CredentialError } from './s3-credential-errors';

export { FailureType } from '@ferry/contract';

export function nonRetryable(message: string, type: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, cause });
}

/** Turns configuration errors into non-retryable failures; everything else stays retryable. */
export function classify(err: unknown): unknown {
  if (err instanceof ConfigError) return nonRetryable(err.message, err.failureType);
  return describeS3CredentialError(err) ?? err;
}
