import { Signer, type SignerConfig } from '@aws-sdk/rds-signer';
import type { Named, PostgresConnection } from '@ferry/config';
import { describeAwsFailure } from './aws-failure';

export type SignerFactory = (config: SignerConfig) => { getAuthToken(): Promise<string> };

/**
 * An RDS/Aurora IAM authentication token: a SigV4 presigned `connect` request, computed
 * locally from the worker's AWS credentials (no network call) and valid for 15 minutes, so a
 * fresh one per connection costs nothing and never outlives its credentials.
 */
export async function rdsIamToken(c: Named<PostgresConnection>, region: string, makeSigner: SignerFactory = (config) => new Signer(config)): Promise<string> {
  const signer = makeSigner({ hostname: c.host, port: c.port ?? 5432, username: c.user, region });
  try {
    return await signer.getAuthToken();
  } catch (err) {
    throw describeAwsFailure(err, c, { action: 'rds-db:connect (signing the IAM token)', subject: `user ${JSON.stringify(c.user)}` });
  }
}
