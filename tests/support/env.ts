// The local stack's addresses, as tools/env.sh sets them (npm test runs under it).
export const stack = {
  pg: { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres' },
  redshift: { host: process.env.REDSHIFT_LOCAL_HOST ?? '127.0.0.1', port: Number(process.env.REDSHIFT_LOCAL_PORT ?? 5439) },
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  bucket: process.env.FERRY_S3_BUCKET ?? 'ferry-staging',
};
