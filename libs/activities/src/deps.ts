import type { S3Client } from '@aws-sdk/client-s3';
import type { FerryConfig } from '@ferry/config';
import type { SessionPools } from './pg/session-pools';

/** What activities need from the outside world, handed in by the worker (or a test). */
export interface ActivityDeps {
  config: FerryConfig;
  s3: S3Client;
  /** Database sessions, kept between activities; the worker ends them when it stops. */
  sessions: SessionPools;
}
