import { createHash, createHmac, randomBytes } from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

const endpoint = process.env.FERRY_S3_ENDPOINT ?? 'http://127.0.0.1:9000';
const region = process.env.AWS_REGION ?? 'us-east-1';

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/**
 * Real temporary credentials from the local MinIO's STS: AssumeRole with the stack's root
 * keys (MinIO supports it for its own users), limited by a session policy to the staging
 * bucket. Each set gets its own TokenRevokeType (a MinIO extension), so a test can revoke
 * exactly its own session.
 */
export async function assumeRoleOnMinio(bucket: string): Promise<TemporaryCredentials> {
  const sts = new STSClient({
    endpoint,
    region,
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! },
  });
  const revokeType = `ferry-test-${randomBytes(6).toString('hex')}`;
  // TokenRevokeType is MinIO's, not an AWS parameter: append it to the form body before it is signed (build step).
  sts.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: string; headers: Record<string, string> };
      if (typeof request.body === 'string') {
        request.body += `&TokenRevokeType=${revokeType}`;
        request.headers['content-length'] = String(Buffer.byteLength(request.body));
      }
      return next(args);
    },
    { step: 'build', name: 'minioTokenRevokeType' },
  );
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] }],
  };
  const res = await sts.send(
    new AssumeRoleCommand({ RoleArn: 'arn:minio:iam:::role/ferry-test', RoleSessionName: 'ferry-test', DurationSeconds: 900, Policy: JSON.stringify(policy) }),
  );
  sts.destroy();
  const c = res.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration };
}

/**
 * Ends a MinIO STS session before its time (MinIO's admin API revoke-tokens, called by the
 * session itself). MinIO then answers its keys exactly as it answers expired ones —
 * InvalidAccessKeyId (cmd/auth-handler.go: "Expired credentials must return error right
 * away") — and its shortest session is 15 minutes, too long for a test to wait out.
 */
export async function revokeMinioSession(creds: TemporaryCredentials): Promise<void> {
  const url = new URL('/minio/admin/v3/revoke-tokens/builtin', endpoint);
  const headers = signV4('POST', url, '', creds, 's3');
  const res = await fetch(url, { method: 'POST', headers });
  if (res.status !== 204 && res.status !== 200) throw new Error(`MinIO revoke-tokens: HTTP ${res.status} ${await res.text()}`);
}

/** AWS Signature Version 4 headers for one request (just enough for MinIO's admin API). */
function signV4(method: string, url: URL, body: string, creds: TemporaryCredentials, service: string): Record<string, string> {
  const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
  const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(body);
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
    'x-amz-security-token': creds.sessionToken,
  };
  const names = Object.keys(headers).sort();
  const canonical = [method, url.pathname, url.searchParams.toString(), ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}
