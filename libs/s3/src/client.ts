import { S3Client } from '@aws-sdk/client-s3';

/** Where S3 is and how to reach it. Credentials come from the process environment, never from workflow input. */
export interface S3Settings {
  region: string;
  /** A custom endpoint (MinIO, LocalStack); unset for AWS S3. */
  endpoint?: string;
  /** Path-style addressing, which MinIO needs. */
  forcePathStyle?: boolean;
  /**
   * Explicit keys, for an S3-compatible endpoint only; unset means the AWS SDK's default chain
   * (environment incl. AWS_SESSION_TOKEN, profiles, SSO, web identity/IRSA, ECS task role,
   * instance role), which also renews temporary credentials before they expire.
   */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** The session token that belongs to temporary keys (MinIO's STS issues them too). */
  sessionToken?: string;
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle ?? Boolean(settings.endpoint),
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, sessionToken: settings.sessionToken }
        : undefined,
    // Streams are long-lived; let the SDK retry transient network errors itself.
    maxAttempts: 5,
  });
}

/**
 * S3 settings from the standard AWS variables plus FERRY_S3_ENDPOINT for S3-compatible stores.
 * Against AWS (no endpoint) no keys are passed at all, so the SDK's default chain decides, as
 * the AWS CLI would; only a custom endpoint (the local MinIO) gets the environment's keys
 * explicitly, session token included.
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const endpoint = env.FERRY_S3_ENDPOINT || undefined;
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint,
    forcePathStyle: env.FERRY_S3_FORCE_PATH_STYLE ? env.FERRY_S3_FORCE_PATH_STYLE === 'true' : undefined,
    ...(endpoint && {
      accessKeyId: env.AWS_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY || undefined,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
    }),
  };
}
