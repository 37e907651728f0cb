import { ConfigError, type Named } from '@ferry/config';

// RDS, Aurora, Redshift and Redshift Serverless endpoints carry their region:
// app.cluster-xyz.eu-west-1.rds.amazonaws.com, wg.123456789012.us-east-1.redshift-serverless.amazonaws.com
const ENDPOINT_REGION = /\.([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)\.(?:rds|redshift|redshift-serverless)\.amazonaws\.com(?:\.cn)?$/;
const ARN_REGION = /^arn:aws[a-z-]*:[a-z-]+:([a-z0-9-]+):/;

/**
 * The region of a connection's AWS calls: its `region`, else the one an ARN or the endpoint
 * names, else the worker's AWS_REGION. A guess would sign for the wrong region and fail with
 * a confusing signature error, so no default.
 */
export function regionFor(c: Named, env: NodeJS.ProcessEnv = process.env, arn?: string): string {
  const region = c.region ?? (arn && ARN_REGION.exec(arn)?.[1]) ?? ENDPOINT_REGION.exec(c.host ?? '')?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ConfigError(
      `connections.${c.name ?? c.host ?? c.database}.region: the AWS region of this connection is not known (its host name does not say it and AWS_REGION is unset): set region on the connection`,
    );
  }
  return region;
}
