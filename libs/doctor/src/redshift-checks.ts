import type { Named, RedshiftConnection } from '@ferry/config';
import { useSource, type SessionPools } from '@ferry/activities';
import { queryRelation, unloadStatement } from '@ferry/redshift';
import { formatS3Url } from '@ferry/s3';
import { check, skipped, type Check } from './check';

/** Where the one-row UNLOAD writes, and what it wrote. */
export interface DoctorFolder {
  bucket: string;
  /** `<prefix>ferry-doctor/<id>/`: a folder of this run's own, removed afterwards. */
  folder: string;
}

/**
 * A Redshift connection, as a run uses it: it logs in (whichever transport and login it has),
 * reads the catalog, and UNLOADs a one-row SELECT into the bucket with its IAM role.
 */
export async function redshiftChecks(sessions: SessionPools, connection: Named<RedshiftConnection>, into: DoctorFolder): Promise<Check[]> {
  const subject = connection.name ?? connection.database;
  const dataApi = connection.transport === 'data-api';
  const loginFix = dataApi
    ? "the worker's IAM identity needs redshift-data:ExecuteStatement, BatchExecuteStatement, DescribeStatement, GetStatementResult and CancelStatement, and redshift:GetClusterCredentials (user) or secretsmanager:GetSecretValue (passwordSecret): docs/iam.md"
    : 'check host and port (a network path from the worker into the VPC: security group, route), the user and where its password comes from (passwordEnv, passwordSecret, clusterIdentifier): docs/deploy.md';
  const loggedIn = await check(subject, dataApi ? 'logs in through the Data API' : 'logs in', loginFix, async () => {
    const { rows } = await useSource(sessions, connection, 'ferry doctor', (_, session) => session.query<{ user: string }>('SELECT current_user AS user'));
    return `as ${rows[0]?.user}`;
  });
  if (!loggedIn.ok)
    return [loggedIn, skipped(subject, 'reads the catalog', `${subject}: logs in`), skipped(subject, 'UNLOADs to the bucket', `${subject}: logs in`)];

  const catalog = await check(
    subject,
    'reads the catalog',
    'grant the user USAGE on the schemas it moves and SELECT on their tables (and on SVV_TABLE_INFO for size estimates)',
    async () =>
      useSource(sessions, connection, 'ferry doctor', async (source) => {
        if (!(await source.schemaExists('pg_catalog'))) throw new Error('pg_catalog is not visible');
        await source.readColumns(queryRelation('SELECT 1 AS one'));
        return `public: ${(await source.listRelations('public')).length} tables and views`;
      }),
  );
  const url = formatS3Url({ bucket: into.bucket, key: `${into.folder}${subject}/` });
  const unload = await check(
    subject,
    `UNLOADs one row to ${url} with IAM role ${connection.iamRole}`,
    `associate ${connection.iamRole} with the cluster (aws redshift modify-cluster-iam-roles --add-iam-roles) and allow it s3:PutObject and s3:ListBucket on the bucket and prefix: docs/iam.md`,
    async () =>
      useSource(sessions, connection, 'ferry doctor', async (source) => {
        await source.unload({
          statement: unloadStatement({
            select: 'SELECT 1 AS ferry_doctor',
            url,
            iamRole: connection.iamRole,
            compression: 'none',
            maxFileSizeMb: 6,
            parallel: false,
          }),
        });
      }),
  );
  return [loggedIn, catalog, unload];
}
