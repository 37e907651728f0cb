import { WIDE_TABLE } from './databases';
import {
  best,
  find,
  judgeTargets,
  judgeWide,
  mbPerSecond,
  rowsPerSecond,
  seconds,
  WIDE_RSS_TARGET_MB,
  type BenchResults,
  type Measured,
  type Target,
} from './results';

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Throughput of `m` relative to `base` (> 1: faster than the baseline). */
function vs(m: Measured, base: Measured | undefined): string {
  // Only the same table compares: the many-small-tables row has its own data.
  if (!base || m === base || m.bytes !== base.bytes) return '';
  return `${fmt(best(base) / best(m), 2)} ×`;
}

function rowsTable(r: BenchResults): string[][] {
  const a = find(r, 'baseline-a');
  const b = find(r, 'baseline-b');
  const pgloader = find(r, 'pgloader');
  // A load phase of 0 s: every part was loaded while the UNLOAD (and its checksum) still ran.
  return r.measured
    .filter((m) => best(m) > 0)
    .map((m) => [
      m.label,
      fmt(seconds(best(m)), 2),
      m.runsMs.map((ms) => fmt(seconds(ms), 1)).join(' / '),
      int(rowsPerSecond(m)),
      m.bytes ? fmt(mbPerSecond(m)) : '',
      vs(m, a),
      vs(m, b),
      vs(m, pgloader),
      m.peakRssMb ? `${fmt(m.peakRssMb, 0)} MB` : '',
    ]);
}

const PHASES_HEAD = ['run', 'prepare', 'unload', 'load', 'finalize', 'target locked', 'other', 'parts, publish'];
const PHASE_KEYS = ['prepare', 'unload', 'load', 'finalize', 'locked', 'other'];
const HEAD = ['method', 'best s', 'runs s', 'rows/s', 'MB/s', 'vs A', 'vs B', 'vs pgloader', 'worker peak RSS'];

function phasesTable(r: BenchResults): string[][] {
  return r.measured.filter((m) => m.phases).map((m) => [m.label, ...PHASE_KEYS.map((k) => fmt(seconds(m.phases![k] ?? 0), 2)), m.note ?? '']);
}

function markdownTable(head: string[], rows: string[][]): string {
  // A `|` inside a cell (baseline A's shell pipe) would end the cell.
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

const mark = (t: Target) => (t.pass === undefined ? 'not judged' : t.pass ? 'PASS' : 'FAIL');

export function printReport(r: BenchResults, byScale: BenchResults[]): void {
  if (r.wide) printWide(r);
  if (!r.measured.length && !r.pipeline) return;
  console.log(`\nbench: ${int(r.source.rows)} rows, ${fmt(r.source.bytes / 1e6)} MB (pgbench scale ${r.options.scale}), best of ${r.options.runs}`);
  console.log(textTable(HEAD, rowsTable(r)));
  const phases = phasesTable(r);
  if (phases.length) console.log(`\nferry phases of the best run (s):\n${textTable(PHASES_HEAD, phases)}`);
  if (r.worker)
    console.log(
      `\nworker: VmHWM ${fmt(r.worker.highWaterMb, 0)} MB (since start${r.options.prebuiltBundle === false ? ', includes bundling the workflows' : ''}), idle RSS ${fmt(r.worker.idleRssMb, 0)} MB`,
    );
  if (r.pipeline)
    console.log(
      `pipelineRun: ${r.pipeline.available ? (r.pipeline.error ? `failed: ${r.pipeline.error}` : `${fmt(seconds(r.pipeline.ms!), 1)} s for ${r.pipeline.tables} tables`) : 'pipelineRun not available'}`,
    );
  console.log('\ntargets:');
  for (const t of judgeTargets(r, byScale)) console.log(`  ${mark(t).padEnd(10)} ${t.goal}: ${t.measured}`);
}

/** The generated part of docs/benchmarks.md: machine, command, results, targets. */
export function markdownReport(r: BenchResults, byScale: BenchResults[]): string {
  const m = r.machine;
  const parts = r.source.parts
    ? `; ferry's UNLOAD wrote ${r.source.parts} parts, ${fmt((r.source.objectBytes ?? 0) / 1e6)} MB ${r.options.compression === 'gzip' ? 'gzipped' : 'uncompressed'}`
    : '';
  const out = [
    `Measured ${r.when} with:`,
    '',
    '```sh',
    r.command,
    '```',
    '',
    `| machine | |`,
    `| --- | --- |`,
    `| CPU | ${m.cores} × ${m.cpu} |`,
    `| memory | ${m.memoryGb} GB |`,
    `| OS | ${m.kernel} |`,
    `| PostgreSQL | ${m.postgres} |`,
    `| Node.js | ${m.node} |`,
    `| pgloader | ${m.pgloader} |`,
    `| disk | ${m.disk} |`,
    '',
    `Source: \`pgbench_accounts\` at scale ${r.options.scale}: ${int(r.source.rows)} rows, ${fmt(r.source.bytes / 1e6)} MB of heap (MB/s below is this size over the time)${parts}. ` +
      `Settings: compression ${r.options.compression}, maxFileSizeMb ${r.options.maxFileSizeMb}, maxParallelLoads ${r.options.parallelLoads}, UNLOAD PARALLEL ${r.options.unloadParallel === false ? 'OFF' : 'ON'}, redshift-local slices ${r.options.slices}, pgloader concurrency ${r.options.pgloaderConcurrency}. ` +
      `Best of ${r.options.runs} runs each; "vs X" is the method's throughput over X's (above 1: faster).`,
    '',
    markdownTable(HEAD, rowsTable(r)),
    '',
  ];
  const phases = phasesTable(r);
  if (phases.length)
    out.push(
      "ferry's phases in its best run (seconds; with the overlap, unload and load run at the same time, so load counts from the end of the UNLOAD to the last part; `target locked` is finalize's publishing transaction, from its start to its commit, within finalize; `other` is the client's wall time minus the workflow's own total: starting the workflow and fetching its result):",
      '',
      markdownTable(PHASES_HEAD, phases),
      '',
    );
  if (r.worker)
    out.push(
      `Worker process (${r.options.prebuiltBundle === false ? 'bundling its workflows with webpack at start' : 'loading a prebuilt workflow bundle, FERRY_WORKFLOW_BUNDLE, as the Dockerfile deploys it'}): VmHWM ${fmt(r.worker.highWaterMb, 0)} MB over its whole life (with webpack at start, this includes bundling), ${fmt(r.worker.idleRssMb, 0)} MB resident when idle after start; the peak RSS column samples its resident set every 100 ms during each method's runs.`,
      '',
    );
  const rss = byScale.filter((s) => s.measured.some((x) => x.peakRssMb));
  if (rss.length) {
    out.push(
      'Worker memory by scale (the default-setting results of each scale in .data/bench/, same worker start-up):',
      '',
      markdownTable(
        ['scale', 'rows', 'settings', 'peak RSS copy', 'peak RSS aws_s3', 'VmHWM'],
        rss.map((s) => [
          String(s.options.scale),
          int(s.source.rows),
          `${s.options.compression}, ${s.options.maxFileSizeMb} MB, ${s.options.parallelLoads} loads, ${s.options.prebuiltBundle ? 'prebuilt bundle' : 'webpack at start'}`,
          find(s, 'ferry-copy')?.peakRssMb ? `${fmt(find(s, 'ferry-copy')!.peakRssMb!, 0)} MB` : '',
          find(s, 'ferry-aws_s3')?.peakRssMb ? `${fmt(find(s, 'ferry-aws_s3')!.peakRssMb!, 0)} MB` : '',
          s.worker ? `${fmt(s.worker.highWaterMb, 0)} MB` : '',
        ]),
      ),
      '',
    );
  }
  if (r.pipeline) {
    out.push(
      r.pipeline.available
        ? r.pipeline.error
          ? `pipelineRun over ${r.pipeline.tables} tables × ${r.pipeline.rowsPerTable} rows failed: ${r.pipeline.error}`
          : `pipelineRun over ${r.pipeline.tables} tables × ${r.pipeline.rowsPerTable} rows (maxParallelTables ${r.options.maxParallelTables}): ${fmt(seconds(r.pipeline.ms!), 1)} s best of ${(r.pipeline.runsMs ?? []).map((ms) => fmt(seconds(ms), 1)).join(' / ')} s, ${r.pipeline.succeeded} tables succeeded, worker peak RSS ${fmt(r.pipeline.peakRssMb ?? 0, 0)} MB; each table's child tableTransfer took ${fmt(seconds(r.pipeline.tableMedianMs ?? 0), 2)} s (median), ${fmt(seconds(r.pipeline.tableMaxMs ?? 0), 2)} s (slowest).`
        : `pipelineRun not available in this checkout (libs/workflows does not export it); the "tables" row above moves the same ${r.options.tables} tables as separate tableTransfer workflows, ${r.options.maxParallelTables} at a time.`,
      '',
    );
  }
  out.push(
    'Targets:',
    '',
    markdownTable(
      ['target', 'measured', 'status'],
      judgeTargets(r, byScale).map((t) => [t.goal, t.measured, mark(t)]),
    ),
  );
  return out.join('\n');
}

const WIDE_HEAD = [
  'rows',
  'MB of values',
  'MB unloaded (hex text)',
  'MB of parts',
  'best s',
  'runs s',
  'MB/s',
  'worker peak RSS',
  `target ≤ ${WIDE_RSS_TARGET_MB} MB`,
];

function wideRow(r: BenchResults): string[] {
  const w = r.wide!;
  const ms = w.runsMs.length ? Math.min(...w.runsMs) : undefined;
  return [
    int(w.rows),
    fmt(w.valueBytes / 1e6, 0),
    fmt(w.unloadedTextBytes / 1e6, 0),
    w.objectBytes === undefined ? '' : fmt(w.objectBytes / 1e6, 0),
    ms === undefined ? '' : fmt(seconds(ms), 2),
    w.runsMs.map((x) => fmt(seconds(x), 1)).join(' / '),
    ms === undefined ? '' : fmt(w.unloadedTextBytes / 1e6 / seconds(ms)),
    w.runsMs.length ? `${fmt(w.peakRssMb, 0)} MB` : '',
    mark(judgeWide(w, WIDE_RSS_TARGET_MB)),
  ];
}

const widePhases = (w: NonNullable<BenchResults['wide']>) => PHASE_KEYS.map((k) => fmt(seconds(w.phases![k] ?? 0), 2));

function printWide(r: BenchResults): void {
  const w = r.wide!;
  console.log(`\nwide values (SUPER + VARBYTE; j reported as OID ${w.columnOids.j}, b as OID ${w.columnOids.b}):`);
  console.log(textTable(WIDE_HEAD, [wideRow(r)]));
  if (w.phases)
    console.log(
      `phases of the best run (s): ${PHASES_HEAD.slice(1, 7)
        .map((h, i) => `${h} ${widePhases(w)[i]}`)
        .join(', ')}; ${w.parts} parts`,
    );
  if (w.redshiftLocalPeakRssMb) console.log(`redshift-local peak RSS ${fmt(w.redshiftLocalPeakRssMb, 0)} MB`);
  if (w.verified) console.log(`target vs source: ${w.verified.rows} rows compared, ${w.verified.mismatches} differ`);
  if (w.error) console.log(`failed: ${w.error}`);
  const t = judgeWide(w, WIDE_RSS_TARGET_MB);
  console.log(`  ${mark(t).padEnd(10)} ${t.goal}: ${t.measured}`);
}

/** The generated wide-values block of docs/benchmarks.md. */
export function markdownWide(r: BenchResults): string {
  const w = r.wide!;
  const m = r.machine;
  const k = w.knobs;
  const out = [
    `Measured ${w.when} with:`,
    '',
    '```sh',
    w.command,
    '```',
    '',
    `Machine: ${m.cores} × ${m.cpu}, ${m.memoryGb} GB, ${m.postgres}, Node.js ${m.node}, disk ${m.disk}.`,
    '',
    `Source: \`${WIDE_TABLE}\` (\`id integer, j ${w.sourceColumnTypes.j}, b ${w.sourceColumnTypes.b}\` in the backing database; redshift-local reports j as OID ${w.columnOids.j}, SUPER, and b as OID ${w.columnOids.b}, VARBYTE): ` +
      `${int(w.rows)} rows generated with SQL, values from 1 byte to ${fmt(w.maxValueBytes / 1e6, 2)} MB in each column (sizes doubling over cycles of 21 rows; chained sha256 for b, a JSON object around base64 for j; SQL NULL, JSON null and an empty VARBYTE every 100 rows), ` +
      `${fmt(w.valueBytes / 1e6, 0)} MB of values, ${fmt(w.heapBytes / 1e6, 0)} MB with TOAST, ${fmt(w.unloadedTextBytes / 1e6, 0)} MB as unloaded (both columns hex). ` +
      `ferry ${k.method}, end to end on the bench's worker: compression ${k.compression}, maxFileSizeMb ${k.maxFileSizeMb}, maxParallelLoads ${k.parallelLoads}, UNLOAD PARALLEL ${k.unloadParallel ? 'ON' : 'OFF'}${w.parts ? `; UNLOAD wrote ${w.parts} parts` : ''}. ` +
      `MB/s is the unloaded text over the time; ${w.runsMs.length} run${w.runsMs.length === 1 ? '' : 's'}, best counts for the time, the highest for memory.`,
    '',
    markdownTable(WIDE_HEAD, [wideRow(r)]),
    '',
  ];
  if (w.phases)
    out.push(
      `Phases of the best run (s): ${PHASES_HEAD.slice(1, 7)
        .map((h, i) => `${h} ${widePhases(w)[i]}`)
        .join(', ')}.`,
      '',
    );
  const idle = r.worker ? `; idle after start ${fmt(r.worker.idleRssMb, 0)} MB, VmHWM over its whole life ${fmt(r.worker.highWaterMb, 0)} MB` : '';
  if (w.runsMs.length)
    out.push(
      `Worker (${r.options.prebuiltBundle === false ? 'webpack at start' : 'prebuilt workflow bundle'}): peak RSS ${fmt(w.peakRssMb, 0)} MB during the wide runs, sampled every 100 ms${idle}. redshift-local's peak RSS meanwhile: ${fmt(w.redshiftLocalPeakRssMb ?? 0, 0)} MB.`,
      '',
    );
  if (w.verified)
    out.push(
      `Target against source, value by value after each run: ${int(w.verified.rows)} rows compared by id, each by md5 of \`encode(b, 'hex')\` and of \`j::text\` on both sides (NULL kept apart): ${w.verified.mismatches === 0 ? 'all identical' : `${w.verified.mismatches} differ, first id ${w.verified.firstMismatch}`}.`,
      '',
    );
  if (w.error) out.push(`The measurement failed: ${w.error}`, '');
  const t = judgeWide(w, WIDE_RSS_TARGET_MB);
  out.push(`Target: ${t.goal} — ${t.measured}: **${mark(t)}**.`);
  return out.join('\n');
}
