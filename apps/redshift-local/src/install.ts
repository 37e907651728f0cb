import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * Installs Redshift's types and functions (sql/redshift-types.sql, PostGIS included) into one
 * source database behind redshift-local, e.g. a test's freshly created one. Idempotent.
 * Goes through install.sh, so tests, tools/setup.sh and people share one path.
 */
export async function installRedshiftTypes(database: string): Promise<void> {
  await promisify(execFile)('bash', [path.join(__dirname, '..', 'install.sh'), database], { env: process.env });
}
