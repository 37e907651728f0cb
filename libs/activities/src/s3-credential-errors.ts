import { ApplicationFailure } from '@temporalio/activity';

// What S3 (and MinIO) answer to keys it does not accept: expired or revoked temporary
// credentials, a session token missing or not matching its keys, unknown keys.
const REFUSED = /^(ExpiredToken|TokenRefreshRequired|InvalidToken|InvalidAccessKeyId|InvalidTokenId|SignatureDoesNotMatch|InvalidClientTokenId)$/;

/**
 * A refused S3 credential fails the same way on every retry of the activity — the worker's
 * process keeps the credentials it has — so it becomes a non-retryable failure that says
 * which credentials and how to renew them. Only the error's code and S3's own message are
 * kept: neither contains the keys or the session token.
 */
export function describeS3CredentialError(err: unknown): ApplicationFailure | undefined {
  const e = err as { name?: string; message?: string; $fault?: string };
  if (!e || typeof e !== 'object') return undefined;
  const isSdkError = e.$fault !== undefined || e.name === 'CredentialsProviderError';
  if (!isSdkError) return undefined;
  if (e.name === 'CredentialsProviderError') {
    return failure(
      `S3: the worker found no AWS credentials (${e.message}). It uses the AWS SDK's default chain: give it a role (ECS task role, EKS IRSA or Pod Identity, EC2 instance profile), a profile (AWS_PROFILE), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary keys)`,
    );
  }
  if (!REFUSED.test(e.name ?? '')) return undefined;
  return failure(
    `S3 refused the worker's AWS credentials (${e.name}: ${e.message}): they have expired, been revoked, or the session token does not belong to the keys. Renew them (aws sso login, a fresh AWS_SESSION_TOKEN from sts assume-role) and restart the worker, or run it under a role whose credentials the AWS SDK renews itself (ECS task role, EKS IRSA, EC2 instance profile); see docs/deploy.md`,
  );
}

function failure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'AwsCredentialsInvalid', nonRetryable: true });
}
