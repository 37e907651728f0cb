import type { BenchContext } from './context';
import { createSmallTables, rowsIn, TARGET_DB } from './databases';
import { phaseMedians, pipelineRunAvailable, runPipeline, transferTables } from './ferry';
import { cpuSeconds } from './cpu';
import { sampleRss } from './memory';
import { psql } from './processes';
import type { BenchResults } from './results';

/**
 * Many small tables: ferry's fixed cost per table. Each is measured at most twice — a
 * 200-table run takes about a minute, and its spread between runs is small against the
 * target's margin.
 */
export async function measureManyTables(ctx: BenchContext): Promise<void> {
  const { o } = ctx;
  const tables = await createSmallTables(o.tables, o.rowsPerTable);
  const expected = o.tables * o.rowsPerTable;
  ctx.log(`${tables.length} tables × ${o.rowsPerTable} rows created`);
  if (ctx.wants('tables')) {
    const m = ctx.measured('tables', `${o.tables} tables × ${o.rowsPerTable} rows, tableTransfer × ${o.maxParallelTables}`, 0, expected);
    for (let round = 1; round <= Math.min(o.runs, 2); round++) {
      const sampler = sampleRss(ctx.workerPid);
      const { ms } = await transferTables(ctx.client, ctx.taskQueue, tables, o.maxParallelTables, o.unloadParallel);
      m.peakRssMb = Math.max(m.peakRssMb ?? 0, sampler.stop());
      m.runsMs.push(ms);
      ctx.log(`${tables.length} tables as separate tableTransfers: ${(ms / 1000).toFixed(1)} s`);
      const moved = await rowsIn(TARGET_DB, tables);
      if (moved !== expected) throw new Error(`the tables measurement left ${moved} rows, expected ${expected}`);
    }
  }
  if (ctx.wants('pipeline')) ctx.results.pipeline = await measurePipeline(ctx, tables);
}

/** pipelineRun over the small tables, or a clear "not available" when this checkout has no such workflow. */
async function measurePipeline(ctx: BenchContext, tables: string[]): Promise<NonNullable<BenchResults['pipeline']>> {
  const { o } = ctx;
  const base = { tables: tables.length, rowsPerTable: o.rowsPerTable };
  if (!pipelineRunAvailable(ctx.root)) {
    ctx.log('pipelineRun not available (libs/workflows does not export it yet); skipped');
    return { ...base, available: false };
  }
  let best: NonNullable<BenchResults['pipeline']> | undefined;
  const runsMs: number[] = [];
  let peakRssMb = 0;
  try {
    for (let round = 1; round <= Math.min(o.runs, 2); round++) {
      await psql(TARGET_DB, tables.map((t) => `TRUNCATE ${t};`).join(''));
      const sampler = sampleRss(ctx.workerPid);
      const cpuBefore = cpuSeconds(ctx.workerPid);
      const { ms, result, workflowId } = await runPipeline(ctx.client, ctx.taskQueue, tables, o.maxParallelTables, o.unloadParallel, 15 * 60_000);
      peakRssMb = Math.max(peakRssMb, sampler.stop());
      const moved = await rowsIn(TARGET_DB, tables);
      if (moved !== tables.length * o.rowsPerTable) throw new Error(`pipelineRun left ${moved} rows, expected ${tables.length * o.rowsPerTable}`);
      const durations = result.tables.map((t) => t.durationMs ?? 0).sort((a, b) => a - b);
      const median = durations[Math.floor(durations.length / 2)];
      runsMs.push(ms);
      const cpuMs = (cpuSeconds(ctx.workerPid) - cpuBefore) * 1000;
      ctx.log(
        `pipelineRun: ${(ms / 1000).toFixed(1)} s for ${tables.length} tables (${result.succeeded} succeeded; per table median ${(median / 1000).toFixed(1)} s; ` +
          `worker CPU ${(cpuMs / 1000).toFixed(1)} s, ${(cpuMs / tables.length).toFixed(0)} ms per table, peak RSS ${peakRssMb.toFixed(0)} MB so far)`,
      );
      const phases = await phaseMedians(ctx.client, workflowId, tables);
      ctx.log(
        `pipelineRun: a table's phases, medians: ${Object.entries(phases)
          .map(([p, v]) => `${p} ${v} ms`)
          .join(', ')}`,
      );
      if (!best || ms < best.ms!)
        best = { ...base, available: true, ms, succeeded: result.succeeded, tableMedianMs: median, tableMaxMs: durations[durations.length - 1] };
    }
    return { ...best!, runsMs, peakRssMb };
  } catch (err) {
    ctx.log(`pipelineRun failed: ${(err as Error).message}`);
    return { ...base, available: true, error: (err as Error).message.split('\n')[0] };
  }
}
