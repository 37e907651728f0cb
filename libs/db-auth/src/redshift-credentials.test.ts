import { GetClusterCredentialsCommand, GetClusterCredentialsWithIAMCommand, RedshiftClient } from '@aws-sdk/client-redshift';
import { GetCredentialsCommand, RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { mockClient } from 'aws-sdk-client-mock';
import type { Named, RedshiftConnection } from '@ferry/config';
import { DbCredentials } from './db-credentials';

const redshift = mockClient(RedshiftClient);
const serverless = mockClient(RedshiftServerlessClient);
const base = {
  kind: 'redshift',
  host: 'analytics.abc123.eu-west-1.redshift.amazonaws.com',
  database: 'dev',
  iamRole: 'arn:aws:iam::123456789012:role/unload',
  maxConcurrentUnloads: 8,
  transport: 'wire',
} as const;
const cluster: Named<RedshiftConnection> = { ...base, name: 'warehouse', user: 'ferry', clusterIdentifier: 'analytics' };
const clusterByIdentity: Named<RedshiftConnection> = { ...base, name: 'warehouse', clusterIdentifier: 'analytics' };
const workgroup: Named<RedshiftConnection> = {
  ...base,
  name: 'lake',
  host: 'lake.123456789012.us-east-2.redshift-serverless.amazonaws.com',
  workgroupName: 'lake',
};
const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });

describe('Redshift temporary credentials', () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = () => now;
  beforeEach(() => {
    redshift.reset();
    serverless.reset();
    now = Date.parse('2026-01-01T00:00:00Z');
  });

  it('GetClusterCredentials for a configured user, logging in as the IAM: user it returns, reused until shortly before it expires', async () => {
    redshift.on(GetClusterCredentialsCommand).resolves({ DbUser: 'IAM:ferry', DbPassword: 'temp-pass-1', Expiration: new Date(now + 15 * 60_000) });
    const credentials = new DbCredentials({ env: {}, now: clock });
    expect(await credentials.login(cluster)).toEqual({ user: 'IAM:ferry', password: 'temp-pass-1', cached: false });
    expect(redshift.commandCalls(GetClusterCredentialsCommand)[0].args[0].input).toEqual({
      ClusterIdentifier: 'analytics',
      DbUser: 'ferry',
      DbName: 'dev',
      DurationSeconds: 900,
      AutoCreate: false,
    });
    expect(await redshift.call(0).thisValue.config.region()).toBe('eu-west-1');

    now += 13 * 60_000;
    expect(await credentials.login(cluster)).toMatchObject({ password: 'temp-pass-1', cached: true });
    now += 90_000; // inside the last minute: asked for again
    redshift.on(GetClusterCredentialsCommand).resolves({ DbUser: 'IAM:ferry', DbPassword: 'temp-pass-2', Expiration: new Date(now + 15 * 60_000) });
    expect(await credentials.login(cluster)).toMatchObject({ password: 'temp-pass-2', cached: false });
    expect(redshift.commandCalls(GetClusterCredentialsCommand)).toHaveLength(2);
  });

  it('GetClusterCredentialsWithIAM when the connection names no user', async () => {
    redshift.on(GetClusterCredentialsWithIAMCommand).resolves({ DbUser: 'IAMR:ferry-worker', DbPassword: 'temp-pass', Expiration: new Date(now + 900_000) });
    expect(await new DbCredentials({ env: {}, now: clock }).login(clusterByIdentity)).toMatchObject({ user: 'IAMR:ferry-worker', password: 'temp-pass' });
    expect(redshift.commandCalls(GetClusterCredentialsWithIAMCommand)[0].args[0].input).toEqual({
      ClusterIdentifier: 'analytics',
      DbName: 'dev',
      DurationSeconds: 900,
    });
    expect(redshift.commandCalls(GetClusterCredentialsCommand)).toHaveLength(0);
  });

  it('redshift-serverless GetCredentials for a workgroup, in the region of its endpoint', async () => {
    serverless.on(GetCredentialsCommand).resolves({ dbUser: 'IAMR:ferry-worker', dbPassword: 'temp-pass', expiration: new Date(now + 900_000) });
    expect(await new DbCredentials({ env: {}, now: clock }).login(workgroup)).toMatchObject({ user: 'IAMR:ferry-worker', password: 'temp-pass' });
    expect(serverless.commandCalls(GetCredentialsCommand)[0].args[0].input).toEqual({ workgroupName: 'lake', dbName: 'dev', durationSeconds: 900 });
    expect(await serverless.call(0).thisValue.config.region()).toBe('us-east-2');
  });

  it('a missing redshift:GetClusterCredentials permission is non-retryable and names the action to grant', async () => {
    redshift.on(GetClusterCredentialsCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: redshift:GetClusterCredentials', 403));
    const err = await new DbCredentials({ env: {} }).login(cluster).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConfigError', failureType: 'DatabaseAuthFailed' });
    expect((err as Error).message).toContain(
      'connection "warehouse" (analytics.abc123.eu-west-1.redshift.amazonaws.com:5439/dev): redshift:GetClusterCredentials for clusterIdentifier "analytics", database "dev" failed (AccessDenied',
    );
    expect((err as Error).message).toContain('is not allowed to call redshift:GetClusterCredentials');
  });

  it('an expired session token says how to renew it', async () => {
    serverless.on(GetCredentialsCommand).rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    const err = await new DbCredentials({ env: {} }).login(workgroup).catch((e: unknown) => e);
    expect(err).toMatchObject({ failureType: 'AwsCredentialsInvalid' });
    expect((err as Error).message).toContain('redshift-serverless:GetCredentials for workgroupName "lake"');
    expect((err as Error).message).toContain('run the worker under a role whose credentials the AWS SDK renews itself');
  });

  it('an unknown cluster names the setting to check', async () => {
    redshift.on(GetClusterCredentialsCommand).rejects(awsError('ClusterNotFoundFault', 'Cluster analytics not found.', 404));
    const err = await new DbCredentials({ env: {} }).login(cluster).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toContain('Check clusterIdentifier "analytics", database "dev" and the connection\'s region');
  });
});
