import { baselineA, baselineB, type LocalParts } from './baselines';
import type { BenchContext } from './context';
import { resetTarget, targetRows } from './databases';
import { ferryTransfer, type FerryKnobs } from './ferry';
import { nodeCopy, type StreamVariant } from './load-stages';
import { sampleRss } from './memory';
import { runPgloader } from './pgloader';

/** The load path's stages (see load-stages.ts): local files, MinIO, MinIO with larger gunzip chunks. */
const STREAM_VARIANTS: [string, StreamVariant][] = [
  ['node: local parts → gunzip → COPY', { from: 'disk', chunkKb: 16 }],
  ['node: MinIO → gunzip → COPY (ferry minus Temporal)', { from: 's3', chunkKb: 16 }],
  ['node: MinIO → gunzip 256 KB chunks → COPY', { from: 's3', chunkKb: 256 }],
];

/**
 * pgbench_accounts moved by every method, in interleaved rounds: a slow spell on the shared
 * machine hits every method once, not one method three times. Each run starts from an empty,
 * checkpointed target and is checked for the full row count afterwards.
 */
export async function measureBigTable(ctx: BenchContext, parts: LocalParts | undefined, pgloaderCommand: string): Promise<void> {
  const { o, results, wants, measured } = ctx;
  const { rows } = results.source;
  const expectRows = async (what: string) => {
    const got = await targetRows();
    if (got !== rows) throw new Error(`${what} left ${got} rows in the target, expected ${rows}`);
  };
  for (let round = 1; round <= o.runs; round++) {
    ctx.log(`round ${round} of ${o.runs}`);
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
      for (const [label, v] of STREAM_VARIANTS) {
        await resetTarget();
        measured(`node-${v.from}-${v.chunkKb}`, `${label}, ${o.parallelLoads} ×`).runsMs.push(await nodeCopy(parts, o.parallelLoads, v));
        await expectRows(label);
      }
    }
    if (wants('pgloader')) {
      await resetTarget();
      measured('pgloader', `pgloader (concurrency ${o.pgloaderConcurrency})`).runsMs.push(await runPgloader(pgloaderCommand, rows));
    }
    for (const method of ['copy', 'aws_s3'] as const) {
      if (wants(`ferry-${method}`)) await ferryRun(ctx, method, expectRows);
    }
    if (wants('ferry-checksum')) await ferryRun(ctx, 'copy', expectRows, undefined, 'checksum');
    for (const value of o.sweep?.values ?? []) await ferryRun(ctx, 'copy', expectRows, { knob: o.sweep!.knob, value });
  }
}

/** The run's knobs with one of them replaced by a sweep value. */
function knobsFor(o: BenchContext['o'], method: 'copy' | 'aws_s3', sweep?: { knob: string; value: string }): FerryKnobs {
  const knobs: FerryKnobs = {
    method,
    compression: o.compression,
    maxFileSizeMb: o.maxFileSizeMb,
    parallelLoads: o.parallelLoads,
    unloadParallel: o.unloadParallel,
  };
  if (sweep?.knob === 'parallel-loads') knobs.parallelLoads = Number(sweep.value);
  if (sweep?.knob === 'compression') knobs.compression = sweep.value as FerryKnobs['compression'];
  if (sweep?.knob === 'max-file-size-mb') knobs.maxFileSizeMb = Number(sweep.value);
  if (sweep?.knob === 'unload-parallel') knobs.unloadParallel = sweep.value === 'on';
  return knobs;
}

/** One tableTransfer: end-to-end wall time, the workflow's own load phase, the worker's peak memory meanwhile. */
async function ferryRun(
  ctx: BenchContext,
  method: 'copy' | 'aws_s3',
  expectRows: (what: string) => Promise<void>,
  sweep?: { knob: string; value: string },
  verify?: 'checksum',
): Promise<void> {
  const { o, results } = ctx;
  await resetTarget();
  // Every other run moves the rows without the proof (verify: counts), the baseline the proof's cost is measured against.
  const knobs: FerryKnobs = { ...knobsFor(o, method, sweep), verify: verify ?? 'counts' };
  const name = sweep ? `${method}, --${sweep.knob} ${sweep.value}` : verify ? `${method} with verify: checksum` : method;
  const sampler = sampleRss(ctx.workerPid);
  const { wallMs, result } = await ferryTransfer(ctx.client, ctx.taskQueue, knobs);
  const peak = sampler.stop();
  if (result.rows !== results.source.rows) throw new Error(`ferry (${name}) moved ${result.rows} rows, expected ${results.source.rows}`);
  await expectRows(`ferry (${name})`);
  const key = sweep ? `sweep-${sweep.knob}-${sweep.value}` : verify ? 'ferry-checksum' : `ferry-${method}`;
  const e2e = ctx.measured(key, `ferry ${name}, end to end`);
  const load = ctx.measured(`${key}-load`, `ferry ${name}, load phase`);
  // The phases shown are those of the best end-to-end run.
  if (wallMs < Math.min(Infinity, ...e2e.runsMs)) {
    e2e.phases = { ...result.durationsMs, locked: result.lockedMs ?? 0, other: wallMs - result.durationsMs.total };
    e2e.note = `${result.parts} parts, ${result.publish?.path ?? 'insert'}${result.publish?.reason ? ` (${result.publish.reason})` : ''}`;
  }
  e2e.runsMs.push(wallMs);
  load.runsMs.push(result.durationsMs.load);
  e2e.peakRssMb = Math.max(e2e.peakRssMb ?? 0, peak);
  if (!sweep && !verify) {
    results.source.parts ??= result.parts - result.partsSkipped;
    results.source.objectBytes ??= result.bytes;
  }
  ctx.log(
    `ferry ${name}: ${(wallMs / 1000).toFixed(1)} s (load ${(result.durationsMs.load / 1000).toFixed(1)} s), ${result.parts} parts, worker peak ${peak.toFixed(0)} MB`,
  );
}
