import {
  rdsImportPolicy,
  rdsTrustPolicy,
  redshiftTrustPolicy,
  redshiftUnloadPolicy,
  stagingArea,
  workerPolicy,
  type PolicyDocument,
} from '../tools/iam/policies';
import {
  rdsConnectStatement,
  redshiftClusterCredentialsStatement,
  redshiftDataStatements,
  redshiftServerlessCredentialsStatement,
  secretValueStatement,
} from '../tools/iam/login-policies';
import { renderIamDocs } from '../tools/iam/render';

describe('IAM documents for the staging area', () => {
  const area = stagingArea('acme-staging', 'ferry/');
  const listPrefix = {
    Sid: 'ListStagingPrefix',
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: 'arn:aws:s3:::acme-staging',
    Condition: { StringLike: { 's3:prefix': 'ferry/*' } },
  };
  const onObjects = (Sid: string, Action: string[]) => ({ Sid, Effect: 'Allow', Action, Resource: 'arn:aws:s3:::acme-staging/ferry/*' });

  it('lets Redshift list the prefix and write under it, deleting nothing unless UNLOAD uses CLEANPATH', () => {
    expect(redshiftUnloadPolicy(area, { cleanPath: false })).toEqual({
      Version: '2012-10-17',
      Statement: [listPrefix, onObjects('UnloadWrites', ['s3:PutObject', 's3:GetObject'])],
    });
    expect(redshiftUnloadPolicy(area, { cleanPath: true }).Statement).toEqual([
      listPrefix,
      onObjects('UnloadWrites', ['s3:PutObject', 's3:GetObject']),
      onObjects('CleanPathDeletes', ['s3:DeleteObject']),
    ]);
  });

  it('lets RDS read under the prefix only', () => {
    expect(rdsImportPolicy(area)).toEqual({ Version: '2012-10-17', Statement: [listPrefix, onObjects('ImportReads', ['s3:GetObject'])] });
  });

  it('lets the worker read, copy onto and delete objects under the prefix', () => {
    expect(workerPolicy(area)).toEqual({
      Version: '2012-10-17',
      Statement: [listPrefix, onObjects('WorkerObjects', ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'])],
    });
  });

  it('has Redshift and RDS assume their roles', () => {
    const principal = (doc: PolicyDocument) => doc.Statement.map((s) => [s.Principal, s.Action]);
    expect(principal(redshiftTrustPolicy())).toEqual([[{ Service: 'redshift.amazonaws.com' }, 'sts:AssumeRole']]);
    expect(principal(rdsTrustPolicy())).toEqual([[{ Service: 'rds.amazonaws.com' }, 'sts:AssumeRole']]);
  });

  it('ends the prefix with a slash as ferry does, and takes an empty prefix as the whole bucket', () => {
    expect(stagingArea('acme-staging', 'runs')).toEqual({ bucket: 'acme-staging', prefix: 'runs/' });
    const whole = rdsImportPolicy(stagingArea('acme-staging', ''));
    expect(whole.Statement[0]).toEqual({ Sid: 'ListStagingPrefix', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-staging' });
    expect(whole.Statement[1].Resource).toBe('arn:aws:s3:::acme-staging/*');
  });

  it.each(['*', 'acme-*', 'Acme-Staging', 'ab', 'acme..staging', 'arn:aws:s3:::acme', '-acme'])('refuses the bucket name %p', (bucket) => {
    expect(() => stagingArea(bucket, 'ferry/')).toThrow('is not an S3 bucket name');
  });

  it.each(['ferry/*', 'fer?ry/', '${aws:username}/', '/ferry/'])('refuses the prefix %p, which a policy cannot scope', (prefix) => {
    expect(() => stagingArea('acme-staging', prefix)).toThrow('cannot be scoped by an IAM policy');
  });

  it('names only the configured bucket in every resource of the docs page', () => {
    const page = renderIamDocs(stagingArea('acme-staging', 'runs/'), { cleanPath: false });
    // The S3 resources; the database login statements (section 4) name no bucket.
    const resources = [...page.matchAll(/"Resource": "(arn:aws:s3:[^"]*)"/g)].map((m) => m[1]);
    expect(new Set(resources)).toEqual(new Set(['arn:aws:s3:::acme-staging', 'arn:aws:s3:::acme-staging/runs/*']));
    expect(page).toContain('"s3:prefix": "runs/*"');
    expect(page).toContain('--feature-name s3Import');
  });

  it('says whether ferry’s UNLOAD uses CLEANPATH, granting the delete only then', () => {
    const withClean = renderIamDocs(area, { cleanPath: true });
    const without = renderIamDocs(area, { cleanPath: false });
    expect(withClean).toContain('uses `CLEANPATH`');
    expect(without).toContain('does not use `CLEANPATH`');
    // The CLEANPATH statement is always shown as the addition; only the policy itself differs.
    const deletes = (page: string) => page.split('"CleanPathDeletes"').length - 1;
    expect(deletes(withClean)).toBe(deletes(without) + 1);
  });

  describe('database logins of the worker (section 4)', () => {
    const scope = { region: 'eu-west-1', account: '123456789012' };

    it('rds-db:connect for one database user of one instance', () => {
      expect(rdsConnectStatement({ ...scope, dbiResourceId: 'db-ABCDEFGHIJKL', user: 'ferry' })).toEqual({
        Sid: 'RdsIamConnect',
        Effect: 'Allow',
        Action: 'rds-db:connect',
        Resource: 'arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABCDEFGHIJKL/ferry',
      });
    });

    it('redshift:GetClusterCredentials on the dbuser and dbname, or GetClusterCredentialsWithIAM on the dbname only', () => {
      expect(redshiftClusterCredentialsStatement({ ...scope, cluster: 'analytics', database: 'dev', user: 'ferry' })).toEqual({
        Sid: 'RedshiftClusterCredentials',
        Effect: 'Allow',
        Action: 'redshift:GetClusterCredentials',
        Resource: ['arn:aws:redshift:eu-west-1:123456789012:dbuser:analytics/ferry', 'arn:aws:redshift:eu-west-1:123456789012:dbname:analytics/dev'],
      });
      expect(redshiftClusterCredentialsStatement({ ...scope, cluster: 'analytics', database: 'dev' })).toEqual({
        Sid: 'RedshiftClusterCredentialsWithIAM',
        Effect: 'Allow',
        Action: 'redshift:GetClusterCredentialsWithIAM',
        Resource: 'arn:aws:redshift:eu-west-1:123456789012:dbname:analytics/dev',
      });
    });

    it('redshift-serverless:GetCredentials on the workgroup, and secretsmanager:GetSecretValue on one secret', () => {
      expect(redshiftServerlessCredentialsStatement({ ...scope, workgroupId: 'a1b2' }).Resource).toBe(
        'arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/a1b2',
      );
      expect(secretValueStatement({ ...scope, secret: 'prod/ferry' })).toEqual({
        Sid: 'ReadDatabasePassword',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/ferry-??????',
      });
      const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/ferry-AbCdEf';
      expect(secretValueStatement({ ...scope, secret: arn }).Resource).toBe(arn);
    });

    it('the docs page gives every login statement, with the section error messages point to', () => {
      const page = renderIamDocs(area, { cleanPath: false });
      expect(page).toContain('## 4. The ferry worker: database logins');
      for (const action of [
        'rds-db:connect',
        'redshift:GetClusterCredentials"',
        'redshift:GetClusterCredentialsWithIAM',
        'redshift-serverless:GetCredentials',
        'secretsmanager:GetSecretValue',
      ]) {
        expect(page).toContain(action);
      }
      expect(page).toContain('GRANT rds_iam TO USER');
    });

    it("the Data API: statements run on the one cluster or workgroup, read and cancelled only when the worker's role started them, in any session", () => {
      expect(redshiftDataStatements({ ...scope, cluster: 'analytics', workerRoleId: 'AROAEXAMPLE' })).toEqual([
        {
          Sid: 'RedshiftDataRun',
          Effect: 'Allow',
          Action: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
          Resource: 'arn:aws:redshift:eu-west-1:123456789012:cluster:analytics',
        },
        { Sid: 'RedshiftDataListOwnStatements', Effect: 'Allow', Action: 'redshift-data:ListStatements', Resource: '*' },
        {
          Sid: 'RedshiftDataOwnStatements',
          Effect: 'Allow',
          Action: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:CancelStatement'],
          Resource: '*',
          Condition: { StringLike: { 'redshift-data:statement-owner-iam-userid': 'AROAEXAMPLE:*' } },
        },
      ]);
      expect(redshiftDataStatements({ ...scope, workgroupId: 'a1b2', workerRoleId: 'AROAEXAMPLE' })[0].Resource).toBe(
        'arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/a1b2',
      );
      expect(renderIamDocs(area, { cleanPath: false })).toContain('## 5. The ferry worker: the Redshift Data API');
    });
  });
});
