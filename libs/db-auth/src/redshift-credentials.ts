import { GetClusterCredentialsCommand, GetClusterCredentialsWithIAMCommand, type RedshiftClient } from '@aws-sdk/client-redshift';
import { GetCredentialsCommand, type RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import type { Named, RedshiftConnection } from '@ferry/config';
import { describeAwsFailure } from './aws-failure';

/** A database login AWS issued for a limited time. */
export interface TemporaryLogin {
  user: string;
  password: string;
  expiresAt?: Date;
}

/** The shortest lifetime both APIs allow: a leaked password is useless soon, and a login needs it only at connect time. */
const DURATION_SECONDS = 900;

/**
 * A provisioned cluster's temporary login. With `user`, GetClusterCredentials issues one for
 * that database user (returned as `IAM:<user>`, which is what the login must use); without,
 * GetClusterCredentialsWithIAM maps the worker's IAM identity to `IAM:<user>`/`IAMR:<role>`.
 */
export async function redshiftClusterLogin(client: RedshiftClient, c: Named<RedshiftConnection>): Promise<TemporaryLogin> {
  const cluster = c.clusterIdentifier!;
  const subject = `clusterIdentifier ${JSON.stringify(cluster)}, database ${JSON.stringify(c.database)}`;
  try {
    if (c.user) {
      const res = await client.send(
        new GetClusterCredentialsCommand({
          ClusterIdentifier: cluster,
          DbUser: c.user,
          DbName: c.database,
          DurationSeconds: DURATION_SECONDS,
          AutoCreate: false,
        }),
      );
      return login(res.DbUser, res.DbPassword, res.Expiration);
    }
    const res = await client.send(
      new GetClusterCredentialsWithIAMCommand({ ClusterIdentifier: cluster, DbName: c.database, DurationSeconds: DURATION_SECONDS }),
    );
    return login(res.DbUser, res.DbPassword, res.Expiration);
  } catch (err) {
    throw describeAwsFailure(err, c, { action: c.user ? 'redshift:GetClusterCredentials' : 'redshift:GetClusterCredentialsWithIAM', subject });
  }
}

/** A Redshift Serverless workgroup's temporary login; the IAM identity names the user. */
export async function redshiftServerlessLogin(client: RedshiftServerlessClient, c: Named<RedshiftConnection>): Promise<TemporaryLogin> {
  try {
    const res = await client.send(new GetCredentialsCommand({ workgroupName: c.workgroupName!, dbName: c.database, durationSeconds: DURATION_SECONDS }));
    return login(res.dbUser, res.dbPassword, res.expiration);
  } catch (err) {
    throw describeAwsFailure(err, c, {
      action: 'redshift-serverless:GetCredentials',
      subject: `workgroupName ${JSON.stringify(c.workgroupName)}, database ${JSON.stringify(c.database)}`,
    });
  }
}

function login(user: string | undefined, password: string | undefined, expiresAt: Date | undefined): TemporaryLogin {
  if (!user || !password) throw new Error('Redshift returned credentials without a user or password');
  return { user, password, expiresAt };
}
