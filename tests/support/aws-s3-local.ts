import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './processes';

/** Installs the local aws_s3 stand-in (tools/aws-s3-local) into a test's own database. */
export async function installAwsS3Local(database: string): Promise<void> {
  await promisify(execFile)('bash', [path.join(repoRoot, 'tools/aws-s3-local/install.sh'), database], { env: process.env });
}
