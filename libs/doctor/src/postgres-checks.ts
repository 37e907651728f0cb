import type { S3Client } from '@aws-sdk/client-s3';
import type { Named, PostgresConnection } from '@ferry/config';
import { awsCredentials, type SessionPools } from '@ferry/activities';
import { awsS3Import, bookkeepingComplete, createBookkeeping, selectBookkeepingPrivileges } from '@ferry/postgres';
import { inTransaction, quoteIdent, run, runAll, selectSchema, statement, type Session, type Statement } from '@ferry/sql';
import { check, Failed, skipped, type Check } from './check';

export const selectLogin = (): Statement =>
  statement(`SELECT current_user AS "user", coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false) AS tls`);

/** The import function aws_s3 provides, and the extension's version when it came as one (RDS, Aurora). */
export const selectAwsS3 = (): Statement =>
  statement(
    `SELECT (SELECT extversion FROM pg_extension WHERE extname = 'aws_s3') AS version,
            EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'aws_s3' AND p.proname = 'table_import_from_s3') AS importer`,
  );

export const IMPORT_PROBE = { schema: 'pg_temp', name: 'ferry_doctor_import' };
export const createImportProbe = (): Statement => statement(`CREATE TEMP TABLE ${quoteIdent(IMPORT_PROBE.name)} (one text)`);

/**
 * A PostgreSQL connection, as a run uses it: it logs in with its TLS settings, can create in
 * the staging schema, and — for load method aws_s3 — has the extension and imports the one-row
 * file. Every write is rolled back.
 */
export async function postgresChecks(
  sessions: SessionPools,
  s3: S3Client,
  connection: Named<PostgresConnection>,
  file?: { bucket: string; key: string },
): Promise<Check[]> {
  const subject = connection.name ?? connection.database;
  const tls = connection.sslmode ?? (connection.ssl ? 'verify-full' : undefined);
  const loggedIn = await check(
    subject,
    `logs in${tls ? ` (sslmode ${tls}${connection.sslrootcert ? `, ${connection.sslrootcert}` : ''})` : ''}`,
    'check host, port, user and the password source; for verify-full, sslrootcert must hold the CA that signed the server certificate (for RDS: the global bundle) and host must be a name in it: docs/deploy.md',
    async () =>
      sessions.use(connection, 'ferry doctor', async (c) => {
        const { rows } = await run<{ user: string; tls: boolean }>(c, selectLogin());
        return `as ${rows[0].user}, ${rows[0].tls ? 'over TLS' : 'without TLS'}`;
      }),
  );
  const after = `${subject}: logs in`;
  if (!loggedIn.ok) {
    return [
      loggedIn,
      skipped(subject, 'creates in the staging schema', after),
      ...(connection.loadMethod === 'aws_s3' ? [skipped(subject, 'aws_s3 imports the one-row file', after)] : []),
    ];
  }
  const schema = connection.stagingSchema;
  const staging = await check(subject, `creates in the staging schema ${schema}`, 'see the detail', async () =>
    sessions.use(connection, 'ferry doctor', async (c) => {
      const exists = (await run(c, selectSchema(schema))).rowCount > 0;
      try {
        // Bookkeeping in use by runs is asked about, not touched: its creation takes locks a running transfer would wait on.
        if (exists && (await bookkeepingComplete(c, schema))) return await bookkeepingPrivileges(c, schema, connection.user);
        // What the first run does there (ferry's bookkeeping tables), rolled back.
        await inTransaction(c, (tx) => runAll(tx, createBookkeeping(schema, { schemaExists: exists })), { end: 'ROLLBACK' });
      } catch (err) {
        if (err instanceof Failed) throw err;
        const grant = exists
          ? `GRANT USAGE, CREATE ON SCHEMA ${quoteIdent(schema)} TO ${quoteIdent(connection.user)}`
          : `GRANT CREATE ON DATABASE ${quoteIdent(connection.database)} TO ${quoteIdent(connection.user)}`;
        throw new Failed((err as Error).message, `as the schema's owner: ${grant}`);
      }
      return exists ? 'schema exists' : 'schema missing: ferry creates it on the first run';
    }),
  );
  const checks = [loggedIn, staging];
  if (connection.loadMethod !== 'aws_s3') return checks;

  const extension = await check(
    subject,
    'has the aws_s3 extension',
    'as rds_superuser: CREATE EXTENSION aws_s3 CASCADE (RDS and Aurora PostgreSQL), or set loadMethod: copy',
    async () =>
      sessions.use(connection, 'ferry doctor', async (c) => {
        const { version, importer } = (await run<{ version: string | null; importer: boolean }>(c, selectAwsS3())).rows[0];
        if (!importer) throw new Error(`aws_s3.table_import_from_s3 is not in database ${connection.database}`);
        return version ? `version ${version}` : 'aws_s3.table_import_from_s3 present';
      }),
  );
  checks.push(extension);
  if (!extension.ok) return [...checks, skipped(subject, 'aws_s3 imports the one-row file', `${subject}: has the aws_s3 extension`)];
  if (!file) return [...checks, skipped(subject, 'aws_s3 imports the one-row file', 'a redshift connection: UNLOADs to the bucket')];
  checks.push(
    await check(
      subject,
      `aws_s3 imports s3://${file.bucket}/${file.key}`,
      `attach an IAM role allowed s3:GetObject on the bucket to the instance for feature s3Import (aws rds add-role-to-db-instance --feature-name s3Import), or set awsS3Credentials: docs/iam.md`,
      async () =>
        sessions.use(connection, 'ferry doctor', async (c) =>
          inTransaction(
            c,
            async (tx) => {
              await run(tx, createImportProbe());
              const credentials = awsCredentials(connection);
              const object = { bucket: file.bucket, key: file.key, region: await s3.config.region(), ...(credentials && { credentials }) };
              const { rows } = await run<{ result: string }>(tx, awsS3Import({ staging: IMPORT_PROBE, columns: ['one'] }, object));
              return rows[0].result;
            },
            { end: 'ROLLBACK' },
          ),
        ),
    ),
  );
  return checks;
}

/** Bookkeeping that exists: CREATE in its schema, and read and write on each of its tables. */
async function bookkeepingPrivileges(c: Session, schema: string, user: string): Promise<string> {
  const { create_in_schema, lacking } = (await run<{ create_in_schema: boolean; lacking: string[] }>(c, selectBookkeepingPrivileges(schema))).rows[0];
  if (!create_in_schema)
    throw new Failed(`no CREATE on schema ${schema}`, `as the schema's owner: GRANT CREATE ON SCHEMA ${quoteIdent(schema)} TO ${quoteIdent(user)}`);
  if (lacking.length > 0) {
    throw new Failed(
      `cannot read and write ${lacking.join(', ')}`,
      `as their owner: GRANT SELECT, INSERT, UPDATE, DELETE ON ${lacking.join(', ')} TO ${quoteIdent(user)}`,
    );
  }
  return 'bookkeeping exists; CREATE in the schema, read and write on its tables';
}
