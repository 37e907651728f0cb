import { Signer } from '@aws-sdk/rds-signer';
import type { Named, PostgresConnection } from '@ferry/config';
import { DbCredentials } from './db-credentials';

const app: Named<PostgresConnection> = {
  kind: 'postgres',
  name: 'app',
  host: 'app.cluster-xyz.eu-west-1.rds.amazonaws.com',
  database: 'app',
  user: 'ferry',
  iamAuth: true,
  sslmode: 'verify-full',
  stagingSchema: 'ferry_staging',
  maxConcurrentLoads: 8,
  loadMethod: 'copy',
};

describe('RDS/Aurora IAM authentication (iamAuth)', () => {
  it('signs a fresh token for every connection, for the host, port, user and region of the endpoint', async () => {
    const made: unknown[] = [];
    const credentials = new DbCredentials({
      env: {},
      signer: (config) => {
        made.push(config);
        // The real signer, with fixed credentials instead of the default chain.
        return new Signer({ ...config, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret', sessionToken: 'example-session' } });
      },
    });
    const first = await credentials.login(app);
    const second = await credentials.login(app);
    expect(made).toEqual([
      { hostname: 'app.cluster-xyz.eu-west-1.rds.amazonaws.com', port: 5432, username: 'ferry', region: 'eu-west-1' },
      { hostname: 'app.cluster-xyz.eu-west-1.rds.amazonaws.com', port: 5432, username: 'ferry', region: 'eu-west-1' },
    ]);
    expect(first).toMatchObject({ user: 'ferry', cached: false });
    expect(second.cached).toBe(false);
    const token = new URL(`https://${first.password}`);
    expect(token.host).toBe('app.cluster-xyz.eu-west-1.rds.amazonaws.com:5432');
    expect(token.searchParams.get('Action')).toBe('connect');
    expect(token.searchParams.get('DBUser')).toBe('ferry');
    expect(token.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/);
    expect(token.searchParams.get('X-Amz-Security-Token')).toBe('example-session');
  });

  it('with no AWS credentials, says where the worker looks for them', async () => {
    const credentials = new DbCredentials({
      env: {},
      signer: (config) =>
        new Signer({
          ...config,
          credentials: async () =>
            Promise.reject(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })),
        }),
    });
    const err = await credentials.login(app).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConfigError', failureType: 'AwsCredentialsInvalid' });
    expect((err as Error).message).toContain(
      'connection "app" (app.cluster-xyz.eu-west-1.rds.amazonaws.com:5432/app): rds-db:connect (signing the IAM token) for user "ferry" failed (CredentialsProviderError',
    );
    expect((err as Error).message).toContain("found no AWS credentials in the SDK's default chain");
  });

  it('needs a region it can tell', async () => {
    const local = { ...app, host: 'db.internal' };
    await expect(new DbCredentials({ env: {} }).login(local)).rejects.toThrow('connections.app.region: the AWS region of this connection is not known');
    const withEnv = new DbCredentials({ env: { AWS_REGION: 'us-west-2' }, signer: (config) => ({ getAuthToken: async () => `token-for-${config.region}` }) });
    expect((await withEnv.login(local)).password).toBe('token-for-us-west-2');
  });
});
