import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

/** Installs the local aws_s3 stand-in into one local database, e.g. an integration test's own (see install.sh). */
export async function installAwsS3Local(database: string): Promise<void> {
  await promisify(execFile)('bash', [path.join(__dirname, 'install.sh'), database], { env: process.env });
}
