/** Which warehouse and login a Data API call names: the fields of a `redshift` connection it reads. */
export interface DataApiConnection {
  database: string;
  clusterIdentifier?: string;
  workgroupName?: string;
  /** DbUser: temporary credentials for this user (clusters only). */
  user?: string;
  /** SecretArn: a Secrets Manager secret holding the login. */
  passwordSecret?: string;
}

export interface DataApiWhere {
  Database: string;
  ClusterIdentifier?: string;
  WorkgroupName?: string;
  DbUser?: string;
  SecretArn?: string;
}

/**
 * The request fields that name the warehouse and the login (AWS, Redshift Data API reference,
 * "ExecuteStatement": Secrets Manager by SecretArn; temporary credentials by DbUser on a
 * cluster, or as the IAM identity without it).
 */
export const dataApiWhere = (c: DataApiConnection): DataApiWhere => ({
  Database: c.database,
  ...(c.clusterIdentifier !== undefined && { ClusterIdentifier: c.clusterIdentifier }),
  ...(c.workgroupName !== undefined && { WorkgroupName: c.workgroupName }),
  ...(c.user !== undefined && { DbUser: c.user }),
  ...(c.passwordSecret !== undefined && { SecretArn: c.passwordSecret }),
});
