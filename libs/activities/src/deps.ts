import type { S3Client } from '@aws-sdk/client-s3';
import type { FerryConfig } from '@ferry/config';

/** What activities need from the outside world, handed in by the worker (or a test). */
export interface ActivityDeps {
  config: FerryConfig;
  s3: S3Client;
}
