import { S3Client } from '@aws-sdk/client-s3';

/** Where S3 is and how to reach it. Credentials come from the process environment, never from workflow input. */
export interface S3Settings {
  region: string;
  /** A custom endpoint (MinIO, LocalStack); unset for AWS S3. */
  endpoint?: string;
  /** Path-style addressing, which MinIO needs. */
  forcePathStyle?: boolean;
  /** Explicit keys; unset means the AWS SDK's default chain (env, profile, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
}

export function createS3Client(settings: S3Settings): S3Client {
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle ?? Boolean(settings.endpoint),
    credentials:
      settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
        : undefined,
    // Streams are long-lived; let the SDK retry transient network errors itself.
    maxAttempts: 5,
  });
}

/** S3 settings from the standard AWS variables plus FERRY_S3_ENDPOINT for S3-compatible stores. */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint: env.FERRY_S3_ENDPOINT || undefined,
    forcePathStyle: env.FERRY_S3_FORCE_PATH_STYLE ? env.FERRY_S3_FORCE_PATH_STYLE === 'true' : undefined,
    accessKeyId: env.AWS_ACCESS_KEY_ID || undefined,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY || undefined,
  };
}
