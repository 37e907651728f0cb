/**
 * Least-privilege IAM documents for ferry's staging area, `s3://bucket/prefix`. Everything
 * is scoped to the objects under the prefix; listing is limited to it by the s3:prefix
 * condition, since ListBucket can only be granted on the bucket itself.
 */

export interface StagingArea {
  bucket: string;
  /** Key prefix of every run folder: empty, or ending in '/'. */
  prefix: string;
}

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Principal?: { Service: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

/** What ferry's UNLOAD statement asks of S3 besides writing. */
export interface UnloadOptions {
  cleanPath: boolean;
}

// S3's bucket naming rules: no wildcard or ARN-breaking character can slip into a Resource.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Validates the bucket and prefix, and appends '/' to the prefix as ferry does (libs/activities target-locations). */
export function stagingArea(bucket: string, prefix: string): StagingArea {
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
    throw new Error(`"${bucket}" is not an S3 bucket name (3-63 characters: lowercase letters, digits, '.' and '-')`);
  }
  if (/[*?$]/.test(prefix) || prefix.startsWith('/')) {
    throw new Error(`prefix "${prefix}" cannot be scoped by an IAM policy: it must not start with '/' or contain '*', '?' or '$'`);
  }
  return { bucket, prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix };
}

const policy = (...statements: Statement[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements });
const objects = (area: StagingArea) => `arn:aws:s3:::${area.bucket}/${area.prefix}*`;

function listPrefix(area: StagingArea): Statement {
  return {
    Sid: 'ListStagingPrefix',
    Effect: 'Allow',
    Action: 's3:ListBucket',
    Resource: `arn:aws:s3:::${area.bucket}`,
    // An empty prefix is the whole bucket: no condition to add.
    ...(area.prefix ? { Condition: { StringLike: { 's3:prefix': `${area.prefix}*` } } } : {}),
  };
}

function onObjects(area: StagingArea, sid: string, actions: string[]): Statement {
  return { Sid: sid, Effect: 'Allow', Action: actions, Resource: objects(area) };
}

function trust(service: string): PolicyDocument {
  return policy({ Sid: 'AssumedByService', Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' });
}

/** CLEANPATH deletes what is under the UNLOAD's TO prefix before writing. */
export function cleanPathStatement(area: StagingArea): Statement {
  return onObjects(area, 'CleanPathDeletes', ['s3:DeleteObject']);
}

/**
 * Redshift's role for UNLOAD: AWS documents GET, LIST and PUT on the bucket it unloads to
 * (UNLOAD lists the prefix to find files it would overwrite). ALLOWOVERWRITE needs no more:
 * an overwrite is a PutObject.
 */
export function redshiftUnloadPolicy(area: StagingArea, unload: UnloadOptions): PolicyDocument {
  const statements = [listPrefix(area), onObjects(area, 'UnloadWrites', ['s3:PutObject', 's3:GetObject'])];
  return policy(...statements, ...(unload.cleanPath ? [cleanPathStatement(area)] : []));
}

export const redshiftTrustPolicy = (): PolicyDocument => trust('redshift.amazonaws.com');

/** The RDS/Aurora role for the s3Import feature (aws_s3.table_import_from_s3): GetObject and ListBucket, as AWS documents. */
export function rdsImportPolicy(area: StagingArea): PolicyDocument {
  return policy(listPrefix(area), onObjects(area, 'ImportReads', ['s3:GetObject']));
}

export const rdsTrustPolicy = (): PolicyDocument => trust('rds.amazonaws.com');

/**
 * The worker reads manifests and (load method copy) parts, copies gzip parts onto
 * themselves to set Content-Encoding (CopyObject: GetObject on the source, PutObject on the
 * target), and lists then deletes a run's folder when it is done.
 */
export function workerPolicy(area: StagingArea): PolicyDocument {
  return policy(listPrefix(area), onObjects(area, 'WorkerObjects', ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']));
}
