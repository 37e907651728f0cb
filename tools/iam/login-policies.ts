import type { PolicyDocument, Statement } from './policies';

/**
 * What the worker's own identity needs to log in to databases without a long-lived password
 * (libs/db-auth): one statement per method, each scoped to the one database user, cluster,
 * workgroup or secret it is for. Values AWS assigns (account, resource ids) are parameters;
 * the docs page shows them as placeholders.
 */
export interface LoginScope {
  region: string;
  account: string;
}

/** RDS/Aurora IAM authentication (`iamAuth`): connect as `user` of the instance or cluster with resource id `dbiResourceId`. */
export function rdsConnectStatement(s: LoginScope & { dbiResourceId: string; user: string }): Statement {
  return {
    Sid: 'RdsIamConnect',
    Effect: 'Allow',
    Action: 'rds-db:connect',
    Resource: `arn:aws:rds-db:${s.region}:${s.account}:dbuser:${s.dbiResourceId}/${s.user}`,
  };
}

/**
 * A provisioned Redshift cluster (`clusterIdentifier`): GetClusterCredentials for a named
 * `user` (on that dbuser and database), or GetClusterCredentialsWithIAM when the IAM identity
 * names the user (on the database only).
 */
export function redshiftClusterCredentialsStatement(s: LoginScope & { cluster: string; database: string; user?: string }): Statement {
  const dbname = `arn:aws:redshift:${s.region}:${s.account}:dbname:${s.cluster}/${s.database}`;
  if (s.user) {
    return {
      Sid: 'RedshiftClusterCredentials',
      Effect: 'Allow',
      Action: 'redshift:GetClusterCredentials',
      Resource: [`arn:aws:redshift:${s.region}:${s.account}:dbuser:${s.cluster}/${s.user}`, dbname],
    };
  }
  return { Sid: 'RedshiftClusterCredentialsWithIAM', Effect: 'Allow', Action: 'redshift:GetClusterCredentialsWithIAM', Resource: dbname };
}

/** A Redshift Serverless workgroup (`workgroupName`); its ARN names the workgroup by id. */
export function redshiftServerlessCredentialsStatement(s: LoginScope & { workgroupId: string }): Statement {
  return {
    Sid: 'RedshiftServerlessCredentials',
    Effect: 'Allow',
    Action: 'redshift-serverless:GetCredentials',
    Resource: `arn:aws:redshift-serverless:${s.region}:${s.account}:workgroup/${s.workgroupId}`,
  };
}

/**
 * A Secrets Manager password (`passwordSecret`). Secret ARNs end in six random characters;
 * a secret given by name is matched with `-??????`, as AWS recommends, so no other secret
 * whose name merely starts the same matches.
 */
export function secretValueStatement(s: LoginScope & { secret: string }): Statement {
  const arn = s.secret.startsWith('arn:') ? s.secret : `arn:aws:secretsmanager:${s.region}:${s.account}:secret:${s.secret}-??????`;
  return { Sid: 'ReadDatabasePassword', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: arn };
}

/**
 * The Redshift Data API (`transport: data-api`): running statements on the one cluster or
 * workgroup, and describing, reading and cancelling only statements the worker's role started,
 * in any of its sessions (`workerRoleId`, AROA…: a retry on another pod must find the UNLOAD a
 * stopped worker left running; `${aws:userid}` would be one role session). DescribeStatement,
 * GetStatementResult and CancelStatement take no resource ARN. Login comes on top: DbUser needs
 * the cluster credentials statement, SecretArn the secret statement, a workgroup its GetCredentials.
 */
export function redshiftDataStatements(s: LoginScope & ({ cluster: string } | { workgroupId: string }) & { workerRoleId: string }): Statement[] {
  const resource =
    'cluster' in s
      ? `arn:aws:redshift:${s.region}:${s.account}:cluster:${s.cluster}`
      : `arn:aws:redshift-serverless:${s.region}:${s.account}:workgroup/${s.workgroupId}`;
  return [
    { Sid: 'RedshiftDataRun', Effect: 'Allow', Action: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'], Resource: resource },
    // Lists only the caller's own statements (AWS, "ListStatements"); a run's cleanup finds an UNLOAD left running by its name.
    { Sid: 'RedshiftDataListOwnStatements', Effect: 'Allow', Action: 'redshift-data:ListStatements', Resource: '*' },
    {
      Sid: 'RedshiftDataOwnStatements',
      Effect: 'Allow',
      Action: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:CancelStatement'],
      Resource: '*',
      Condition: { StringLike: { 'redshift-data:statement-owner-iam-userid': `${s.workerRoleId}:*` } },
    },
  ];
}

export const loginPolicy = (...statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
