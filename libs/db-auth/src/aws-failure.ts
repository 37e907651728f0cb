import { ConfigError, connectionLabel, type Named } from '@ferry/config';

/** Failure types a caller can match on; both are non-retryable. */
export const AuthFailureType = {
  /** The database or AWS refused the login, or a setting names something that does not exist. */
  databaseAuth: 'DatabaseAuthFailed',
  /** The worker's own AWS credentials are missing, expired or invalid. */
  awsCredentials: 'AwsCredentialsInvalid',
} as const;

export interface AwsCall {
  /** The IAM action, e.g. `secretsmanager:GetSecretValue`. */
  action: string;
  /** What was asked for, as the user wrote it: `passwordSecret "prod/ferry"`. */
  subject: string;
}

const DENIED = /^(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedException|NotAuthorized|AuthorizationError)$/;
const EXPIRED =
  /^(ExpiredToken|ExpiredTokenException|RequestExpired|TokenRefreshRequired|InvalidClientTokenId|UnrecognizedClientException|InvalidSignatureException|SignatureDoesNotMatch)$/;
const NOT_FOUND = /^(ResourceNotFoundException|ClusterNotFound|ClusterNotFoundFault|WorkgroupNotFound)$/;

/** The fix for credentials that the worker has but that AWS no longer accepts. */
export const RENEW_AWS_CREDENTIALS =
  'renew them (aws sso login, a fresh AWS_SESSION_TOKEN) or run the worker under a role whose credentials the AWS SDK renews itself (ECS task role, EKS IRSA or Pod Identity, EC2 instance profile); see docs/deploy.md';

/**
 * Turns an AWS SDK error from a credential call into an error that names the connection,
 * the call and the fix. Permission, expiry and not-found problems come back on every retry,
 * so they are ConfigErrors (non-retryable); throttling and network errors stay retryable.
 * The SDK's messages carry no secret values, but only their code and text are kept anyway.
 */
export function describeAwsFailure(err: unknown, c: Named, call: AwsCall): Error {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.name ?? 'Error';
  const where = `${connectionLabel(c)}: ${call.action} for ${call.subject} failed (${code}: ${e.message ?? ''})`;
  if (code === 'CredentialsProviderError') {
    return new ConfigError(
      `${where}. The worker found no AWS credentials in the SDK's default chain: give it a role (ECS task role, EKS IRSA, instance profile) or AWS_PROFILE / AWS_ACCESS_KEY_ID with AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN`,
      AuthFailureType.awsCredentials,
    );
  }
  if (EXPIRED.test(code)) {
    return new ConfigError(`${where}. The worker's AWS credentials have expired or are not valid: ${RENEW_AWS_CREDENTIALS}`, AuthFailureType.awsCredentials);
  }
  if (DENIED.test(code) || e.$metadata?.httpStatusCode === 403) {
    return new ConfigError(
      `${where}. The worker's AWS identity is not allowed to call ${call.action}: attach the statement docs/iam.md gives for it (section "The ferry worker: database logins")`,
      AuthFailureType.databaseAuth,
    );
  }
  if (NOT_FOUND.test(code)) {
    return new ConfigError(`${where}. Check ${call.subject} and the connection's region`, AuthFailureType.databaseAuth);
  }
  return new Error(where);
}
