// Runs inside `unshare` (tests/deploy-files.test.ts): docker-compose.yml's services as
// processes, then a table of every Redshift type through them, started from the Temporal CLI
// as the README says. Writes what it saw to the result file for the test to judge.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client } from 'pg';
import { canonicalRows } from '../../tools/demo/canonical';
import { composeUp, enterComposeNetwork, readCompose } from './compose-as-processes';
import type { Replay } from './dockerfile-replay';
import { MATRIX, ROWS } from './type-matrix';

export interface ComposeTransferInput {
  composeFile: string;
  image: Replay;
  postgresImage: Replay;
  scratch: string;
  toolsBin: string;
  resultFile: string;
}

export interface ComposeTransferResult {
  transferred: number;
  sourceRows: unknown[];
  targetRows: unknown[];
  awsS3Import: unknown[];
  workerLog: string;
  workerUid: number;
}

async function main() {
  const input = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ComposeTransferInput;
  const compose = readCompose(input.composeFile);
  const env = compose.services.worker.environment ?? {};
  enterComposeNetwork(compose, input.scratch);
  const services = await composeUp({ ...input, compose, composeDir: path.dirname(input.composeFile), log: (l) => console.log(l) });
  try {
    const rs = new Client({ host: 'redshift-local', port: 5439, user: 'postgres', database: 'ferry_source' });
    const src = new Client({ host: 'postgres', port: 5432, user: 'postgres', database: 'ferry_source' });
    const dst = new Client({ host: 'postgres', port: 5432, user: 'postgres', database: 'ferry_target' });
    await Promise.all([rs.connect(), src.connect(), dst.connect()]);

    await rs.query(`CREATE TABLE fidelity (id INTEGER NOT NULL, ${MATRIX.map(([name, type]) => `${name} ${type}`).join(', ')}) DISTSTYLE KEY DISTKEY(id)`);
    for (let i = 0; i < ROWS; i++) await rs.query(`INSERT INTO fidelity VALUES (${i}, ${MATRIX.map(([, , , v]) => v[i] ?? 'NULL').join(', ')})`);
    await rs.query(`INSERT INTO fidelity (id) VALUES (${ROWS})`);
    // The target stands for RDS, where PostGIS is an extension the user creates for GEOMETRY columns.
    const columns: [string, string][] = [['id', 'integer'], ...MATRIX.map(([name, , target]) => [name, target] as [string, string])];
    await dst.query(`CREATE EXTENSION IF NOT EXISTS postgis; CREATE TABLE fidelity (${columns.map(([n, t]) => `${n} ${t}`).join(', ')})`);

    const { stdout } = await promisify(execFile)(
      path.join(input.toolsBin, 'temporal'),
      [
        ...['workflow', 'execute', '--address', env.TEMPORAL_ADDRESS, '--type', 'tableTransfer', '--task-queue', 'ferry', '--workflow-id', 'compose-fidelity'],
        ...[
          '--output',
          'json',
          '--input',
          JSON.stringify({ source: { connection: 'redshift', table: 'public.fidelity' }, target: { connection: 'postgres', table: 'public.fidelity' } }),
        ],
      ],
      { timeout: 180_000 },
    );
    const transferred = (JSON.parse(stdout) as { result: { rows: number } }).result.rows;

    // The target's aws_s3 stand-in reads from MinIO by the service's name, as RDS reads from S3.
    const s3 = new S3Client({
      endpoint: env.FERRY_S3_ENDPOINT,
      region: env.AWS_REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    await s3.send(new PutObjectCommand({ Bucket: env.FERRY_S3_BUCKET, Key: 'compose/check.csv', Body: '1,one\n2,"two, too"\n' }));
    await dst.query(`CREATE TABLE imported (id int, name text)`);
    await dst.query(`SELECT aws_s3.table_import_from_s3('imported', '', '(format csv)', aws_commons.create_s3_uri($1, 'compose/check.csv', $2))`, [
      env.FERRY_S3_BUCKET,
      env.AWS_REGION,
    ]);

    const result: ComposeTransferResult = {
      transferred,
      sourceRows: await canonicalRows(src, 'fidelity', columns, 'id'),
      targetRows: await canonicalRows(dst, 'fidelity', columns, 'id'),
      awsS3Import: (await dst.query('SELECT id, name FROM imported ORDER BY id')).rows,
      workerLog: readFileSync(path.join(input.scratch, 'logs', 'worker.log'), 'utf8'),
      workerUid: services.uidOf('worker'),
    };
    writeFileSync(input.resultFile, JSON.stringify(result));
    await Promise.all([rs.end(), src.end(), dst.end()]);
  } finally {
    services.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
