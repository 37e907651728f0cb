// `npm run bench`: ferry against its baselines and pgloader on one machine, every figure a
// ratio to a baseline measured in the same run (best of --runs), and the results written
// to docs/benchmarks.md. See docs/benchmarks.md for what each measurement means.
import { mkdirSync } from 'node:fs';
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
import { markdownReport, printReport } from './report';
import { loadAllResults, loadResults, saveResults, type BenchResults } from './results';
import { buildWorkflowBundle, startRedshiftLocal, startWorker, type Service } from './services';
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
  if (o.reportOnly) return report(loadResults(DATA, o.scale), o.writeDoc, false);
  await checkDisk(o.scale);

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
    log(`worker pid ${worker.pid} on task queue ${taskQueue} (${bundle ? 'prebuilt workflow bundle' : 'webpack at start'}), ${idleRssMb.toFixed(0)} MB resident`);

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
    await measureBigTable(ctx, parts, writePgloaderCommand(DATA, o.pgloaderConcurrency));
    if (wants('tables') || wants('pipeline')) await measureManyTables(ctx);

    results.worker = { highWaterMb: highWaterMb(worker.pid), idleRssMb };
    const knobs = nonDefaultKnobs(o);
    saveResults(DATA, results, knobs);
    report(results, o.writeDoc, knobs.length > 0);
  } finally {
    await client?.connection.close().catch(() => undefined);
    for (const s of services.reverse()) await s.stop();
    if (parts) await removeParts(parts);
    if (!o.keep) await dropDatabases();
  }
}

/** Prints the results and writes docs/benchmarks.md; memory is compared across scales at default settings only. */
function report(results: BenchResults, writeDoc: boolean, nonDefault: boolean) {
  const byScale = nonDefault ? [results] : loadAllResults(DATA).filter((r) => (r.options.prebuiltBundle ?? false) === results.options.prebuiltBundle);
  printReport(results, byScale);
  if (writeDoc) {
    writeResultsBlock(path.join(ROOT, 'docs/benchmarks.md'), markdownReport(results, byScale));
    log('wrote docs/benchmarks.md');
  }
}

/**
 * Source, target, ferry's staging table, the local parts and MinIO's copy each hold the
 * table once more (≈ 15 MB per pgbench scale unit each), plus WAL: refuse to start a run
 * that would fill the disk half way through.
 */
async function checkDisk(scale: number) {
  const need = scale * 100e6 + 2e9;
  const free = await freeBytes(DATA);
  if (free < need) throw new Error(`scale ${scale} needs about ${(need / 1e9).toFixed(1)} GB free under ${DATA}; ${(free / 1e9).toFixed(1)} GB are`);
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
