import { temporalSettings, type FerryConfig } from '@ferry/config';
import { doctor, type Check } from '@ferry/doctor';
import { createBookkeeping } from '@ferry/postgres';
import { createS3Client, listObjects, s3SettingsFromEnv } from '@ferry/s3';
import { inTransaction, runAll } from '@ferry/sql';
import { testConfig, transferFixture } from './support/ferry';
import { startTlsPostgres, type TlsPostgres } from './support/tls-postgres';

const s3 = createS3Client(s3SettingsFromEnv());

// `ferry doctor` against the local stack: every check passes where the deployment is sound,
// and each broken piece fails its own check with the fix for it, the others still checked.
describe('ferry doctor', () => {
  const env = transferFixture('doctor', { awsS3Local: true });
  let tls: TlsPostgres;
  const limited = 'ferry_doctor_limited';
  const tlsPasswordEnv = 'FERRY_TEST_DOCTOR_TLS_PASSWORD';

  beforeAll(async () => {
    tls = await startTlsPostgres();
    process.env[tlsPasswordEnv] = tls.password;
    await env.dst.query(`DROP ROLE IF EXISTS ${limited}`);
    await env.dst.query(`CREATE ROLE ${limited} LOGIN`);
    await env.dst.query(`CREATE SCHEMA locked`); // owned by postgres: the limited role may not create in it
    // Bookkeeping a run made as another user: the limited role may create in the schema but not write ferry's tables.
    await inTransaction(env.dst, (tx) => runAll(tx, createBookkeeping('kept')));
    await env.dst.query(`GRANT USAGE, CREATE ON SCHEMA kept TO ${limited}`);
  });
  // The fixture drops the target database (and the schema in it); the role owns nothing and is dropped by the next run.
  afterAll(async () => tls?.stop());

  const config = (): FerryConfig => {
    const c = testConfig(env.sourceDb, env.targetDb);
    // The fixture's worker polls `postgres`'s load queue; the aws_s3 check runs on the same connection.
    c.connections.postgres = { ...c.connections.postgres, loadMethod: 'aws_s3' } as FerryConfig['connections'][string];
    return c;
  };
  const failed = (checks: Check[]) => checks.filter((c) => !c.ok);
  const doctorFiles = async (prefix: string) => {
    const keys: string[] = [];
    for await (const o of listObjects(s3, 'ferry-staging', `${prefix}ferry-doctor/`)) keys.push(o.key);
    return keys;
  };

  it('passes on the local stack, both transports and aws_s3 included, and leaves nothing behind', async () => {
    const c = config();
    const checks = await doctor({ config: c, temporal: temporalSettings(), taskQueue: env.ferry.taskQueue });
    expect(failed(checks)).toEqual([]);
    const names = checks.map((x) => `${x.subject}: ${x.check}`);
    for (const expected of [
      /^temporal: task queue .* polled \(workflow\)$/,
      /^temporal: task queue .*-load-postgres polled \(activity\)$/,
      /^s3: bucket ferry-staging exists$/,
      /^redshift: UNLOADs one row/,
      /^redshift-data: logs in through the Data API$/,
      /^redshift-data: UNLOADs one row/,
      /^postgres: aws_s3 imports s3:\/\/ferry-staging\/.*ferry-doctor/,
      /^s3: the worker deletes the doctor's files/,
    ]) {
      expect(names.some((n) => expected.test(n))).toBe(true);
    }
    expect(await doctorFiles(c.s3.prefix)).toEqual([]);
    const staging = await env.dst.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'ferry_staging'`);
    expect(staging.rows[0].n).toBe(0); // created and rolled back
  });

  it('fails each broken piece with its fix: a wrong IAM role, no aws_s3, no CREATE on staging, a TLS bundle that does not verify', async () => {
    const c = config();
    const target = c.connections.postgres;
    c.connections = {
      redshift: { ...c.connections.redshift, iamRole: 'arn:aws:iam::000000000000:role/not-associated' },
      'no-extension': { ...target, database: env.sourceDb, loadMethod: 'aws_s3' },
      limited: { ...target, loadMethod: 'copy', user: limited, stagingSchema: 'locked' },
      kept: { ...target, loadMethod: 'copy', user: limited, stagingSchema: 'kept' },
      'bad-bundle': {
        ...target,
        loadMethod: 'copy',
        host: tls.host,
        port: tls.port,
        database: tls.database,
        user: tls.user,
        passwordEnv: tlsPasswordEnv,
        sslmode: 'verify-full',
        sslrootcert: tls.otherCaFile,
      },
    } as FerryConfig['connections'];
    const checks = await doctor({ config: c, taskQueue: env.ferry.taskQueue });
    const failure = (subject: string, check: RegExp) => checks.find((x) => x.subject === subject && check.test(x.check) && !x.ok);

    expect(failure('redshift', /^UNLOADs one row/)).toMatchObject({
      detail: expect.stringMatching(/not authorized to assume IAM Role arn:aws:iam::000000000000:role\/not-associated/),
      fix: expect.stringMatching(/^associate arn:aws:iam::000000000000:role\/not-associated with the cluster/),
    });
    expect(failure('no-extension', /^has the aws_s3 extension$/)).toMatchObject({ fix: expect.stringContaining('CREATE EXTENSION aws_s3 CASCADE') });
    expect(failure('limited', /^creates in the staging schema locked$/)).toMatchObject({
      detail: expect.stringMatching(/permission denied for schema locked/),
      fix: `as the schema's owner: GRANT USAGE, CREATE ON SCHEMA "locked" TO "${limited}"`,
    });
    // Existing bookkeeping is asked about (privileges), never altered.
    expect(failure('kept', /^creates in the staging schema kept$/)).toMatchObject({
      detail: expect.stringMatching(/^cannot read and write "kept"\."ferry_ledger", /),
      fix: expect.stringMatching(new RegExp(`^as their owner: GRANT SELECT, INSERT, UPDATE, DELETE ON "kept"\\."ferry_ledger", .* TO "${limited}"$`)),
    });
    expect(failure('bad-bundle', /^logs in \(sslmode verify-full/)).toMatchObject({ fix: expect.stringContaining('sslrootcert must hold the CA') });
    // What does work is still checked and passes.
    expect(checks.find((x) => x.subject === 'redshift' && x.check === 'logs in')?.ok).toBe(true);
    expect(checks.find((x) => x.subject === 'limited' && x.check.startsWith('logs in'))?.ok).toBe(true);
    expect(
      failed(checks)
        .map((x) => x.subject)
        .sort(),
    ).toEqual(['bad-bundle', 'bad-bundle', 'kept', 'limited', 'no-extension', 'no-extension', 'redshift']);
  });

  it('fails a missing bucket with its fix', async () => {
    const c = config();
    c.s3 = { ...c.s3, bucket: 'ferry-doctor-no-such-bucket' };
    c.connections = { redshift: c.connections.redshift };
    const checks = await doctor({ config: c, taskQueue: env.ferry.taskQueue });
    expect(checks.find((x) => x.check === 'bucket ferry-doctor-no-such-bucket exists')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('no bucket named ferry-doctor-no-such-bucket'),
      fix: expect.stringContaining('create the bucket'),
    });
    expect(checks.find((x) => x.subject === 'redshift' && x.check.startsWith('UNLOADs'))?.ok).toBe(false);
  });
});
