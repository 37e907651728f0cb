import { ApplicationFailure } from '@temporalio/activity';
import { ConfigError } from '@ferry/config';
import { describeS3CredentialError } from './s3-credential-errors';

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
  /** sslmode/sslrootcert do not match the server (see pg/connect-errors.ts). */
  databaseTls: 'DatabaseTlsFailed',
  /** The database refused the login, or AWS refused to issue one (@ferry/db-auth). */
  databaseAuth: 'DatabaseAuthFailed',
  /** The worker's AWS credentials are missing, expired or invalid. */
  awsCredentials: 'AwsCredentialsInvalid',
} as const;

export function nonRetryable(message: string, type: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, cause });
}

/** Turns configuration errors into non-retryable failures; everything else stays retryable. */
export function classify(err: unknown): unknown {
  if (err instanceof ConfigError) return nonRetryable(err.message, err.failureType);
  return describeS3CredentialError(err) ?? err;
}
