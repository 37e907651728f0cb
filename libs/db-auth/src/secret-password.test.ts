import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { Named } from '@ferry/config';
import { DbCredentials } from './db-credentials';

const sm = mockClient(SecretsManagerClient);
const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/ferry-AbCdEf';
const app: Named = {
  kind: 'postgres',
  name: 'app',
  host: 'app.example.com',
  database: 'app',
  user: 'ferry',
  passwordSecret: arn,
  stagingSchema: 'ferry_staging',
  maxConcurrentLoads: 8,
  loadMethod: 'copy',
};
const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });

describe('passwordSecret (Secrets Manager)', () => {
  beforeEach(() => sm.reset());

  it('reads the "password" key of a JSON secret, once: later logins use the cache', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ username: 'ferry', password: 's3cr3t-json' }) });
    const credentials = new DbCredentials({ env: {} });
    expect(await credentials.login(app)).toEqual({ user: 'ferry', password: 's3cr3t-json', cached: false });
    expect(await credentials.login(app)).toEqual({ user: 'ferry', password: 's3cr3t-json', cached: true });
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: arn }]);
  });

  it('takes a plain string secret as the password, and the region from the ARN', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'plain-s3cr3t' });
    const credentials = new DbCredentials({ env: {} });
    expect((await credentials.login(app)).password).toBe('plain-s3cr3t');
    expect(await sm.call(0).thisValue.config.region()).toBe('eu-west-1');
  });

  it('after invalidate (the database refused the cached password: a rotation) the secret is fetched again, then cached', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'old-password' }).resolves({ SecretString: 'rotated-password' });
    const credentials = new DbCredentials({ env: {} });
    expect(await credentials.login(app)).toMatchObject({ password: 'old-password', cached: false });
    credentials.invalidate(app);
    expect(await credentials.login(app)).toMatchObject({ password: 'rotated-password', cached: false });
    expect(await credentials.login(app)).toMatchObject({ password: 'rotated-password', cached: true });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('names the permission to grant when GetSecretValue is denied', async () => {
    sm.on(GetSecretValueCommand).rejects(
      awsError(
        'AccessDeniedException',
        'User: arn:aws:sts::123456789012:assumed-role/ferry-worker/i-1 is not authorized to perform: secretsmanager:GetSecretValue',
      ),
    );
    const err = await new DbCredentials({ env: {} }).login(app).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConfigError', failureType: 'DatabaseAuthFailed' });
    expect((err as Error).message).toContain(
      `connection "app" (app.example.com:5432/app): secretsmanager:GetSecretValue for passwordSecret "${arn}" failed (AccessDeniedException:`,
    );
    expect((err as Error).message).toContain('not allowed to call secretsmanager:GetSecretValue: attach the statement docs/iam.md gives');
  });

  it('says how to renew expired AWS credentials', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('ExpiredTokenException', 'The security token included in the request is expired'));
    const err = await new DbCredentials({ env: {} }).login(app).catch((e: unknown) => e);
    expect(err).toMatchObject({ failureType: 'AwsCredentialsInvalid' });
    expect((err as Error).message).toContain(
      "The worker's AWS credentials have expired or are not valid: renew them (aws sso login, a fresh AWS_SESSION_TOKEN)",
    );
  });

  it('names a missing secret and a JSON secret without "password", never quoting values', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."))
      .resolves({ SecretString: JSON.stringify({ username: 'ferry', pass: 'typo-s3cr3t' }) });
    const missing = await new DbCredentials({ env: {} }).login(app).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(missing.message).toContain('Check passwordSecret');
    const noKey = await new DbCredentials({ env: {} }).login(app).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(noKey.message).toContain(`is JSON without a "password" string (its keys: "username", "pass")`);
    expect(noKey.message).not.toContain('typo-s3cr3t');
  });

  it('keeps throttling and network errors retryable', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const err = await new DbCredentials({ env: {} }).login(app).catch((e: unknown) => e);
    expect((err as Error).name).not.toBe('ConfigError');
    expect((err as Error).message).toContain('ThrottlingException');
  });
});
