import { createS3Client, s3SettingsFromEnv } from './client';

describe('s3SettingsFromEnv', () => {
  const keys = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example', AWS_SESSION_TOKEN: 'token-example' };

  it('passes no keys against AWS, so the SDK default chain (profiles, SSO, web identity, roles) decides', () => {
    const settings = s3SettingsFromEnv({ ...keys, AWS_REGION: 'eu-west-1' });
    expect(settings).toEqual({ region: 'eu-west-1', endpoint: undefined, forcePathStyle: undefined });
  });

  it("passes the local endpoint's keys with the session token when one is set", () => {
    expect(s3SettingsFromEnv({ ...keys, FERRY_S3_ENDPOINT: 'http://127.0.0.1:9000' })).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'secret-example',
      sessionToken: 'token-example',
    });
    expect(s3SettingsFromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', FERRY_S3_ENDPOINT: 'http://x' }).sessionToken).toBeUndefined();
  });

  it('hands the session token to the client with the keys', async () => {
    const client = createS3Client(s3SettingsFromEnv({ ...keys, FERRY_S3_ENDPOINT: 'http://127.0.0.1:9000' }));
    const credentials = await client.config.credentials();
    expect(credentials).toMatchObject({ accessKeyId: 'AKIDEXAMPLE', sessionToken: 'token-example' });
  });
});
