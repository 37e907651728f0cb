// `npm run bench`: ferry against its baselines and pgloader on one machine, every figure a
// ratio to a baseline measured in the same run (best of --runs), and the results written
// to docs/benchmarks.md. See docs/benchmarks.md for what each measurement means.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { baselineA, baselineB, removeParts, unloadToDisk } from './baselines';
import { createSmallTables, createTargetTable, dropDatabases, recreateDatabases, resetTarget, rowsIn, seedSource, targetRows, TARGET_DB } from './databases';
import { writeResultsBlock } from './doc';
import { nodeCopy, type StreamVariant } from './load-stages';
import { connectClient, ferryTransfer, pipelineRunAvailable, runPipeline, transferTables, type FerryKnobs } from './ferry';
import { describeMachine, freeBytes } from './machine';
import { highWaterMb, sampleRss } from './memory';
import { nonDefaultKnobs, parseOptions, type BenchOptions, type Measurement } from './options';
import { runPgloader, writePgloaderCommand } from './pgloader';
import { run } from './processes';
import { markdownReport, printReport } from './report';
import { loadAllResults, saveResults, type BenchResults, type Measured } from './results';
import { startRedshiftLocal, startWorker, type Service } from './services';
import { writeWorkerConfig } from './worker-config';

const ROOT = path.resolve(__dirname, '../..');
const DATA = path.join(process.env.FERRY_DATA ?? path.join(ROOT, '.data'), 'bench');
const log = (line: string) => console.log(`bench: ${line}`);

async function main() {
  const argv = process.argv.slice(2);
  const o = parseOptions(argv);
  const wants = (m: Measurement) => o.only.includes(m);
  mkdirSync(DATA, { recursive: true });
  await checkDisk(o.scale);

  const services: Service[] = [];
  let client: Client | undefined;
  let parts: Awaited<ReturnType<typeof unloadToDisk>> | undefined;
  try {
    const machine = await describeMachine(DATA);
    const redshift = await startRedshiftLocal(ROOT, path.join(DATA, 'logs'), o.slices, o.redshiftLocalEnv);
    services.push(redshift);
    log(`redshift-local (this checkout) on port ${redshift.port}, ${o.slices} slices`);

    await recreateDatabases();
    log(`seeding pgbench_accounts at scale ${o.scale} through redshift-local`);
    const source = await seedSource(redshift.port, o.scale);
    await createTargetTable();
    if (wants('ferry-aws_s3')) await run('bash', [path.join(ROOT, 'tools/aws-s3-local/install.sh'), TARGET_DB]);

    const results: BenchResults = {
      when: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      options: o,
      machine,
      source,
      measured: [],
    };
    const measured = (key: string, label: string, bytes = source.bytes, rows = source.rows): Measured => {
      let m = results.measured.find((x) => x.key === key);
      if (!m) results.measured.push((m = { key, label, runsMs: [], rows, bytes }));
      return m;
    };

    // One worker process for every ferry run: the deployed entry point, with a config
    // pointing at the bench's databases and a task queue nobody else polls.
    const taskQueue = `ferry-bench-${process.pid}`;
    const config = writeWorkerConfig(DATA, redshift.port, Math.max(8, o.parallelLoads));
    const worker = await startWorker(ROOT, path.join(DATA, 'logs'), config, taskQueue);
    services.push(worker);
    const idleRssMb = sampleRss(worker.pid).stop();
    client = await connectClient();
    log(`worker pid ${worker.pid} on task queue ${taskQueue}, ${idleRssMb.toFixed(0)} MB resident`);

    if (wants('baseline-b') || wants('load-stages')) {
      parts = await unloadToDisk(redshift.port, path.join(DATA, 'parts'), o.compression, o.maxFileSizeMb);
      results.source.parts = parts.files.length;
      results.source.objectBytes = parts.objectBytes;
      log(`baseline B: ${parts.files.length} parts (${(parts.objectBytes / 1e6).toFixed(1)} MB as unloaded) on local disk`);
    }
    const pgloaderCommand = writePgloaderCommand(DATA, o.pgloaderConcurrency);

    const expectRows = async (what: string) => {
      const rows = await targetRows();
      if (rows !== source.rows) throw new Error(`${what} left ${rows} rows in the target, expected ${source.rows}`);
    };
    // Interleaved rounds: a slow spell on the shared machine hits every method once, not one method three times.
    for (let round = 1; round <= o.runs; round++) {
      log(`round ${round} of ${o.runs}`);
      if (wants('baseline-a')) {
        await resetTarget();
        measured('baseline-a', 'baseline A: psql COPY | psql COPY').runsMs.push(await baselineA());
        await expectRows('baseline A');
      }
      if (wants('baseline-b') && parts) {
        await resetTarget();
        measured('baseline-b', `baseline B: ${o.parallelLoads} × psql \\copy of local parts`).runsMs.push(await baselineB(parts, o.parallelLoads));
        await expectRows('baseline B');
      }
      if (wants('load-stages') && parts) {
        const variants: [string, StreamVariant][] = [
          ['node: local parts → gunzip → COPY', { from: 'disk', chunkKb: 16 }],
          ['node: MinIO → gunzip → COPY (ferry minus Temporal)', { from: 's3', chunkKb: 16 }],
          ['node: MinIO → gunzip 256 KB chunks → COPY', { from: 's3', chunkKb: 256 }],
        ];
        for (const [label, v] of variants) {
          await resetTarget();
          measured(`node-${v.from}-${v.chunkKb}`, `${label}, ${o.parallelLoads} ×`).runsMs.push(await nodeCopy(parts, o.parallelLoads, v));
          await expectRows(label);
        }
      }
      if (wants('pgloader')) {
        await resetTarget();
        measured('pgloader', `pgloader (concurrency ${o.pgloaderConcurrency})`).runsMs.push(await runPgloader(pgloaderCommand, source.rows));
      }
      for (const method of ['copy', 'aws_s3'] as const) {
        if (!wants(`ferry-${method}`)) continue;
        await resetTarget();
        const knobs: FerryKnobs = { method, compression: o.compression, maxFileSizeMb: o.maxFileSizeMb, parallelLoads: o.parallelLoads, unloadParallel: o.unloadParallel };
        const sampler = sampleRss(worker.pid);
        const { wallMs, result } = await ferryTransfer(client, taskQueue, knobs);
        const peak = sampler.stop();
        if (result.rows !== source.rows) throw new Error(`ferry (${method}) moved ${result.rows} rows, expected ${source.rows}`);
        await expectRows(`ferry (${method})`);
        const e2e = measured(`ferry-${method}`, `ferry ${method}, end to end`);
        const load = measured(`ferry-${method}-load`, `ferry ${method}, load phase`);
        if (wallMs < Math.min(Infinity, ...e2e.runsMs)) e2e.phases = { ...result.durationsMs, other: wallMs - result.durationsMs.total };
        e2e.runsMs.push(wallMs);
        load.runsMs.push(result.durationsMs.load);
        e2e.peakRssMb = Math.max(e2e.peakRssMb ?? 0, peak);
        results.source.parts ??= result.parts - result.partsSkipped;
        results.source.objectBytes ??= result.bytes;
        log(`ferry ${method}: ${(wallMs / 1000).toFixed(1)} s (load ${(result.durationsMs.load / 1000).toFixed(1)} s), ${result.parts} parts, worker peak ${peak.toFixed(0)} MB`);
      }
    }

    if (wants('tables') || wants('pipeline')) {
      const tables = await createSmallTables(o.tables, o.rowsPerTable);
      log(`${tables.length} tables × ${o.rowsPerTable} rows created`);
      if (wants('tables')) {
        const m = measured('tables', `${o.tables} tables × ${o.rowsPerTable} rows, tableTransfer × ${o.maxParallelTables}`, 0, o.tables * o.rowsPerTable);
        for (let round = 1; round <= Math.min(o.runs, 2); round++) {
          const sampler = sampleRss(worker.pid);
          const { ms } = await transferTables(client, taskQueue, tables, o.maxParallelTables, o.unloadParallel);
          m.peakRssMb = Math.max(m.peakRssMb ?? 0, sampler.stop());
          m.runsMs.push(ms);
          log(`${tables.length} tables as separate tableTransfers: ${(ms / 1000).toFixed(1)} s`);
        }
        const moved = await rowsIn(TARGET_DB, tables);
        if (moved !== o.tables * o.rowsPerTable) throw new Error(`the tables measurement left ${moved} rows, expected ${o.tables * o.rowsPerTable}`);
      }
      if (wants('pipeline')) results.pipeline = await measurePipeline(client, taskQueue, worker.pid, tables, o);
    }

    results.worker = { highWaterMb: highWaterMb(worker.pid), idleRssMb };
    const knobs = nonDefaultKnobs(o);
    saveResults(DATA, results, knobs);
    // Across scales only at default settings; a run with other knobs is judged on its own.
    const byScale = knobs.length ? [results] : loadAllResults(DATA);
    printReport(results, byScale);
    if (o.writeDoc) {
      writeResultsBlock(path.join(ROOT, 'docs/benchmarks.md'), markdownReport(results, byScale));
      log('wrote docs/benchmarks.md');
    }
  } finally {
    await client?.connection.close().catch(() => undefined);
    for (const s of services.reverse()) await s.stop();
    if (parts) await removeParts(parts);
    if (!o.keep) await dropDatabases();
  }
}

/** pipelineRun over the small tables (best of up to 2 runs), or a clear "not available" when this checkout has no such workflow. */
async function measurePipeline(client: Client, taskQueue: string, workerPid: number, tables: string[], o: BenchOptions): Promise<NonNullable<BenchResults['pipeline']>> {
  const base = { tables: tables.length, rowsPerTable: o.rowsPerTable };
  if (!pipelineRunAvailable(ROOT)) {
    log('pipelineRun not available (libs/workflows does not export it yet); skipped');
    return { ...base, available: false };
  }
  let bestRun: NonNullable<BenchResults['pipeline']> | undefined;
  const runsMs: number[] = [];
  let peakRssMb = 0;
  try {
    for (let round = 1; round <= Math.min(o.runs, 2); round++) {
      await run('psql', ['-X', '-q', '-d', TARGET_DB, '-c', tables.map((t) => `TRUNCATE ${t};`).join('')]);
      const sampler = sampleRss(workerPid);
      const { ms, result } = await runPipeline(client, taskQueue, tables, o.maxParallelTables, o.unloadParallel, 15 * 60_000);
      peakRssMb = Math.max(peakRssMb, sampler.stop());
      const moved = await rowsIn(TARGET_DB, tables);
      if (moved !== tables.length * o.rowsPerTable) throw new Error(`pipelineRun left ${moved} rows, expected ${tables.length * o.rowsPerTable}`);
      const durations = result.tables.map((t) => t.durationMs ?? 0).sort((a, b) => a - b);
      runsMs.push(ms);
      log(`pipelineRun: ${(ms / 1000).toFixed(1)} s for ${tables.length} tables (${result.succeeded} succeeded; per table median ${(durations[Math.floor(durations.length / 2)] / 1000).toFixed(1)} s)`);
      if (!bestRun || ms < bestRun.ms!) {
        bestRun = { ...base, available: true, ms, succeeded: result.succeeded, tableMedianMs: durations[Math.floor(durations.length / 2)], tableMaxMs: durations[durations.length - 1] };
      }
    }
    return { ...bestRun!, runsMs, peakRssMb };
  } catch (err) {
    log(`pipelineRun failed: ${(err as Error).message}`);
    return { ...base, available: true, error: (err as Error).message.split('\n')[0] };
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
