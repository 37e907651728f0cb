// Writes docs/iam.md: the IAM policies and trust documents for the configured staging area.
//   npx tsx tools/iam/generate-iam-docs.ts [--bucket BUCKET] [--prefix PREFIX] [--out FILE]
// Bucket and prefix default to the worker's configuration (FERRY_CONFIG, or the local stack's).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@ferry/config';
import { unloadStatement } from '@ferry/redshift';
import { stagingArea } from './policies';
import { renderIamDocs } from './render';

function main() {
  const { values } = parseArgs({
    options: { bucket: { type: 'string' }, prefix: { type: 'string' }, out: { type: 'string' } },
  });
  // Read only for a missing flag: a broken FERRY_CONFIG need not stop explicit values.
  const configured = () => loadConfig().s3;
  const area = stagingArea(values.bucket ?? configured().bucket, values.prefix ?? configured().prefix);
  // Ask ferry's own UNLOAD builder which options it uses, so the docs cannot drift from it.
  const unload = unloadStatement({
    select: 'SELECT 1',
    url: `s3://${area.bucket}/${area.prefix}`,
    iamRole: 'role',
    compression: 'gzip',
    maxFileSizeMb: 64,
    parallel: true,
  });
  const out = path.resolve(values.out ?? path.join(__dirname, '../../docs/iam.md'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, renderIamDocs(area, { cleanPath: /\bCLEANPATH\b/.test(unload.text) }));
  console.log(`wrote ${path.relative(process.cwd(), out)} for s3://${area.bucket}/${area.prefix}`);
}

try {
  main();
} catch (err) {
  console.error(`generate-iam-docs: ${(err as Error).message}`);
  process.exit(1);
}
