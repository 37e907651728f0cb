import { WorkflowFailedError } from '@temporalio/client';
import type { Client } from 'pg';
import { connect, createDatabase, rowsOf } from './support/databases';
import { startFerry, testConfig, type FerryHarness } from './support/ferry';
import { stack } from './support/env';
import { assumeRoleOnMinio, revokeMinioSession, type TemporaryCredentials } from './support/minio-sts';

// The worker on temporary S3 credentials, as it runs under SSO, an assumed role or CI: keys
// with a session token from MinIO's STS, in the worker's environment like the AWS CLI
// would leave them.
describe('S3 with temporary credentials (MinIO STS AssumeRole)', () => {
  let dbs: Awaited<ReturnType<typeof createDatabase>>[] = [];
  let src: Client;
  let dst: Client;
  let ferry: FerryHarness;
  let creds: TemporaryCredentials;

  beforeAll(async () => {
    dbs = [await createDatabase('ferry_sts_src'), await createDatabase('ferry_sts_dst')];
    src = await connect(dbs[0].name);
    dst = await connect(dbs[1].name);
    for (const c of [src, dst]) await c.query('CREATE TABLE public.events (id int PRIMARY KEY, note text)');
    await src.query(`INSERT INTO public.events SELECT g, 'event ' || g FROM generate_series(1, 300) g`);

    creds = await assumeRoleOnMinio(stack.bucket);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_SESSION_TOKEN: creds.sessionToken });
    try {
      ferry = await startFerry(testConfig(dbs[0].name, dbs[1].name)); // its S3 client reads the environment now
    } finally {
      process.env = saved;
    }
  });

  afterAll(async () => {
    await ferry?.stop();
    await Promise.all([src?.end(), dst?.end()]);
    for (const db of dbs) await db.drop();
  });

  const input = { source: { connection: 'redshift', table: 'public.events' }, target: { connection: 'postgres', table: 'public.events' } };

  it('a transfer with keys and a session token in the environment succeeds', async () => {
    // MinIO refuses temporary keys sent without their token (InvalidTokenId), so success means the token was sent.
    const result = await ferry.execute('tableTransfer', input, 'sts-ok');
    expect(result.rows).toBe(300);
    expect(await rowsOf(dst, 'public.events', 'id')).toEqual(await rowsOf(src, 'public.events', 'id'));
  });

  it('once the credentials are no longer valid, the run fails non-retryably, naming them and the fix, with no secret in history', async () => {
    await revokeMinioSession(creds);
    await src.query(`INSERT INTO public.events VALUES (301, 'after the credentials ended')`);
    const before = await rowsOf(dst, 'public.events', 'id');

    const handle = await ferry.start('tableTransfer', input, 'sts-expired');
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as { message: string; type?: string; nonRetryable?: boolean };
    expect(cause).toMatchObject({ type: 'AwsCredentialsInvalid', nonRetryable: true });
    expect(cause.message).toContain("S3 refused the worker's AWS credentials (InvalidAccessKeyId:");
    expect(cause.message).toContain('they have expired, been revoked');
    expect(cause.message).toContain('Renew them');
    expect(await rowsOf(dst, 'public.events', 'id')).toEqual(before);

    const history = JSON.stringify(await handle.fetchHistory());
    for (const secret of [creds.secretAccessKey, creds.sessionToken]) {
      expect(cause.message).not.toContain(secret);
      expect(history).not.toContain(secret);
    }
  });
});
