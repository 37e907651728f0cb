import { describeS3CredentialError } from './s3-credential-errors';

const s3Error = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client' });

describe('describeS3CredentialError', () => {
  it.each([
    ['ExpiredToken', 'The provided token has expired.'],
    ['InvalidAccessKeyId', 'The Access Key Id you provided does not exist in our records.'],
    ['InvalidToken', 'The provided token is malformed or otherwise invalid.'],
  ])('AWS S3 %s becomes a non-retryable failure naming the credentials and the fix', (name, message) => {
    const failure = describeS3CredentialError(s3Error(name, message))!;
    expect(failure).toMatchObject({ type: 'AwsCredentialsInvalid', nonRetryable: true });
    expect(failure.message).toContain(`S3 refused the worker's AWS credentials (${name}: ${message})`);
    expect(failure.message).toContain('Renew them (aws sso login, a fresh AWS_SESSION_TOKEN');
  });

  it('says where the SDK looked when there are no credentials at all', () => {
    const failure = describeS3CredentialError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }))!;
    expect(failure.message).toContain(
      "S3: the worker found no AWS credentials (Could not load credentials from any providers). It uses the AWS SDK's default chain",
    );
  });

  it('leaves other errors alone', () => {
    expect(describeS3CredentialError(s3Error('NoSuchKey', 'missing'))).toBeUndefined();
    expect(describeS3CredentialError(new Error('InvalidAccessKeyId'))).toBeUndefined();
  });
});
