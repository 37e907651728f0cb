// `npm run bench`: ferry against its baselines and pgloader on one machine, every figure a
// ratio to a baseline measured in the same run (best of --runs), and the results written
// to docs/benchmarks.md. See docs/benchmarks.md for what each measurement means.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { removeParts, unloadToDisk } from './baselines';
import { measureBigTable } from './big-table';
import { createContext } from './context';
import { createTargetTable, dropDatabases, recreateDatabases, seedSource, TARGET_DB } from './databases';
import { writeResultsBlock } from './doc';
import { connectClient } from './ferry';
import { describeMachine, freeBytes } from './machine';
import { measureManyTables } from './many-tables';
import { highWaterMb, sampleRss } from './memory';
import { nonDefaultKnobs, parseOptions } from './options';
import { writePgloaderCommand } from './pgloader';
import { run } from './processes';
import { markdownReport, markdownWide, printReport } from './report';
import { loadAllResults, loadResults, loadWideResults, saveResults, type BenchResults } from './results';
import { buildWorkflowBundle, startRedshiftLocal, startWorker, type Service } from './services';
import { measureWide } from './wide';
import { measureSync } from './sync';
import { writeWorkerConfig } from './worker-config';

const ROOT = path.resolve(__dirname, '../..');
const DATA = path.join(process.env.FERRY_DATA ?? path.join(ROOT, '.data'), 'bench');
const LOGS = path.join(DATA, 'logs');
const log = (line: string) => console.log(`bench: ${line}`);

async function main() {
  const argv = process.argv.slice(2);
  const o = parseOptions(argv);
  const wants = (m: (typeof o.only)[number]) => o.only.includes(m);
  mkdirSync(DATA, { recursive: true });
  if (o.reportOnly) {
    // Each block from its own saved results: the scale's default run, and the wide table's.
    const wide = loadWideResults(DATA);
    if (wide) report(wide, o.writeDoc, false);
    if (!wide || existsSync(path.join(DATA, `results-scale-${o.scale}.json`))) report(loadResults(DATA, o.scale), o.writeDoc, false);
    return;
  }
  await checkDisk(o, wants('wide'));

  const services: Service[] = [];
  let client: Client | undefined;
  let parts: Awaited<ReturnType<typeof unloadToDisk>> | undefined;
  try {
    const machine = await describeMachine(DATA);
    const redshift = await startRedshiftLocal(ROOT, LOGS, o.slices, o.redshiftLocalEnv);
    services.push(redshift);
    log(`redshift-local (this checkout) on port ${redshift.port}, ${o.slices} slices`);

    await recreateDatabases();
    log(`seeding pgbench_accounts at scale ${o.scale} through redshift-local`);
    const source = await seedSource(redshift.port, o.scale);
    await createTargetTable();
    if (wants('ferry-aws_s3')) await run('bash', [path.join(ROOT, 'tools/aws-s3-local/install.sh'), TARGET_DB]);

    // One worker process for every ferry run: the deployed entry point, with a config
    // pointing at the bench's databases and a task queue nobody else polls.
    const taskQueue = `ferry-bench-${process.pid}`;
    const bundle = o.prebuiltBundle ? await buildWorkflowBundle(ROOT, DATA) : undefined;
    const worker = await startWorker(ROOT, LOGS, writeWorkerConfig(DATA, redshift.port, Math.max(8, o.parallelLoads)), taskQueue, bundle);
    services.push(worker);
    const idleRssMb = sampleRss(worker.pid).stop();
    client = await connectClient();
    log(
      `worker pid ${worker.pid} on task queue ${taskQueue} (${bundle ? 'prebuilt workflow bundle' : 'webpack at start'}), ${idleRssMb.toFixed(0)} MB resident`,
    );

    const results: BenchResults = {
      when: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      options: o,
      machine,
      source,
      measured: [],
    };
    const ctx = createContext({ root: ROOT, o, client, taskQueue, workerPid: worker.pid, results, log });

    if (wants('baseline-b') || wants('load-stages')) {
      parts = await unloadToDisk(redshift.port, path.join(DATA, 'parts'), o);
      results.source.parts = parts.files.length;
      results.source.objectBytes = parts.objectBytes;
      log(`baseline B: ${parts.files.length} parts (${(parts.objectBytes / 1e6).toFixed(1)} MB as unloaded) on local disk`);
    }
    const bigTable = ['baseline-a', 'baseline-b', 'load-stages', 'pgloader', 'ferry-copy', 'ferry-aws_s3', 'ferry-checksum'] as const;
    if (bigTable.some(wants) || o.sweep) await measureBigTable(ctx, parts, writePgloaderCommand(DATA, o.pgloaderConcurrency));
    for (let round = 1; wants('sync') && round <= o.runs; round++) await measureSync(ctx);
    if (wants('wide')) results.wide = await measureWide(ctx, redshift);
    if (wants('tables') || wants('pipeline')) await measureManyTables(ctx);

    results.worker = { highWaterMb: highWaterMb(worker.pid), idleRssMb };
    const knobs = nonDefaultKnobs(o);
    for (const file of saveResults(DATA, results, knobs)) log(`results in ${path.relative(ROOT, file)}`);
    report(results, o.writeDoc, knobs.length > 0);
  } finally {
    await client?.connection.close().catch(() => undefined);
    for (const s of services.reverse()) await s.stop();
    if (parts) await removeParts(parts);
    if (!o.keep) await dropDatabases();
  }
}

/**
 * Prints the results and writes docs/benchmarks.md; memory is compared across scales at
 * default settings only. Each generated block is written only by a run that measured it:
 * `--only wide` replaces the wide-values block and leaves the default run's block as it is.
 */
function report(results: BenchResults, writeDoc: boolean, nonDefault: boolean) {
  const byScale = nonDefault ? [results] : loadAllResults(DATA).filter((r) => (r.options.prebuiltBundle ?? false) === results.options.prebuiltBundle);
  printReport(results, byScale);
  if (!writeDoc) return;
  const doc = path.join(ROOT, 'docs/benchmarks.md');
  if (results.measured.length || results.pipeline) {
    writeResultsBlock(doc, markdownReport(results, byScale));
    log('wrote the results block of docs/benchmarks.md');
  }
  if (results.wide) {
    writeResultsBlock(doc, markdownWide(results), 'wide');
    log('wrote the wide-values block of docs/benchmarks.md');
  }
}

/**
 * Source, target, ferry's staging table, the local parts and MinIO's copy each hold the
 * table once more (≈ 15 MB per pgbench scale unit each), plus WAL: refuse to start a run
 * that would fill the disk half way through. The wide table (≈ 0.2 MB of values a row,
 * ≈ 525 MB for the default 2625 rows) is held as values in source and target, as hex text
 * twice as large in the staging table, gzipped in MinIO, and written to WAL by every load
 * and publish: ≈ 8 × its values, plus the same 2 GB of slack.
 */
async function checkDisk(o: { scale: number; wideRows: number }, wide: boolean) {
  const wideBytes = wide ? o.wideRows * 0.2e6 * 8 : 0;
  const need = o.scale * 100e6 + wideBytes + 2e9;
  const free = await freeBytes(DATA);
  const what = `scale ${o.scale}${wide ? ` and ${o.wideRows} wide rows` : ''}`;
  if (free < need) throw new Error(`${what} need about ${(need / 1e9).toFixed(1)} GB free under ${DATA}; ${(free / 1e9).toFixed(1)} GB are`);
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
