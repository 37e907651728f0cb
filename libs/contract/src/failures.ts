/**
 * Failure types a retry cannot fix: activities raise them, workflows raise some of their own,
 * and callers (the CLI, pipelines, tests) match on these names.
 */
export const FailureType = {
  invalidInput: 'InvalidInput',
  config: 'ConfigError',
  missingSource: 'SourceNotFound',
  missingTarget: 'TargetNotFound',
  columnMismatch: 'ColumnMismatch',
  typeMismatch: 'TypeMismatch',
  badQuery: 'BadSourceQuery',
  verification: 'VerificationFailed',
  /** Staging disagrees with the UNLOAD manifest (finalize's proof over the parts registry): the workflow loads every part again once. */
  partsDisagree: 'PartsDisagree',
  badData: 'BadData',
  s3Access: 'S3AccessDenied',
  targetBusy: 'TargetBusy',
  badKey: 'BadKey',
  /** sslmode/sslrootcert do not match the server. */
  databaseTls: 'DatabaseTlsFailed',
  /** The database refused the login, or AWS refused to issue one (@ferry/db-auth). */
  databaseAuth: 'DatabaseAuthFailed',
  /** The worker's AWS credentials are missing, expired or invalid. */
  awsCredentials: 'AwsCredentialsInvalid',
  /** A pipeline run in which some table failed or was skipped; its details hold every outcome. */
  pipelineFailed: 'PipelineFailed',
} as const;

export type FailureTypeName = (typeof FailureType)[keyof typeof FailureType];
