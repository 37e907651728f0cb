import { startRedshiftLocal } from './server';

// Wiring only: the environment of tools/env.sh (or docker-compose) decides where to listen
// and which PostgreSQL backs it.
async function main() {
  const host = process.env.REDSHIFT_LOCAL_HOST ?? '127.0.0.1';
  const server = await startRedshiftLocal({
    host,
    port: Number(process.env.REDSHIFT_LOCAL_PORT ?? 5439),
    backendHost: process.env.PGHOST ?? '127.0.0.1',
    backendPort: Number(process.env.PGPORT ?? 5432),
    slices: Number(process.env.REDSHIFT_LOCAL_SLICES ?? 4),
    ...(process.env.REDSHIFT_LOCAL_TEST_PART_BYTES && { testPartBytes: Number(process.env.REDSHIFT_LOCAL_TEST_PART_BYTES) }),
    ...(process.env.REDSHIFT_LOCAL_TLS_CERT && { tls: { certFile: process.env.REDSHIFT_LOCAL_TLS_CERT, keyFile: process.env.REDSHIFT_LOCAL_TLS_KEY ?? '' } }),
    requireTls: process.env.REDSHIFT_LOCAL_REQUIRE_TLS === '1',
    ...(process.env.REDSHIFT_LOCAL_IAM_ROLES && { iamRoles: process.env.REDSHIFT_LOCAL_IAM_ROLES.split(',').map((r) => r.trim()) }),
    ...(process.env.REDSHIFT_LOCAL_DATA_API_PORT && {
      dataApiPort: Number(process.env.REDSHIFT_LOCAL_DATA_API_PORT),
      dataApiUser: process.env.PGUSER ?? 'postgres',
    }),
  });
  if (server.dataApiPort !== undefined) process.stderr.write(`redshift-local: Data API on http://${host}:${server.dataApiPort}\n`);
  process.stderr.write(`redshift-local: listening on ${host}:${server.port}, backed by ${process.env.PGHOST ?? '127.0.0.1'}:${process.env.PGPORT ?? 5432}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`redshift-local: ${err.message}\n`);
  process.exit(1);
});
