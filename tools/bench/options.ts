/**
 * The bench's command line. Every knob that changes what ferry does is a flag, so each
 * knob's effect can be measured by rerunning with one flag changed (docs/benchmarks.md,
 * "Tuning knobs").
 */
export const MEASUREMENTS = [
  'baseline-a',
  'baseline-b',
  'load-stages',
  'pgloader',
  'ferry-copy',
  'ferry-aws_s3',
  'ferry-checksum',
  'sync',
  'tables',
  'pipeline',
  'wide',
] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

export const SWEEPABLE = ['parallel-loads', 'compression', 'max-file-size-mb', 'unload-parallel'] as const;
export interface Sweep {
  knob: (typeof SWEEPABLE)[number];
  values: string[];
}

export interface BenchOptions {
  /** pgbench scale: 100,000 rows of pgbench_accounts per unit. */
  scale: number;
  /** Each measurement is repeated this often; the best run counts (the machine is shared, noise only adds time). */
  runs: number;
  only: Measurement[];
  compression: 'gzip' | 'none';
  maxFileSizeMb: number;
  parallelLoads: number;
  /** UNLOAD PARALLEL ON (a file series per slice) or OFF (one series): OFF makes a small table one part. */
  unloadParallel: boolean;
  /** redshift-local's slices: with PARALLEL ON, the number of part files UNLOAD writes at once. */
  slices: number;
  /** pgloader's `concurrency` (writers per table); its best value on this machine is the fair comparison. */
  pgloaderConcurrency: number;
  /** The many-small-tables measurement: how many tables, rows in each, tables moved at once. */
  tables: number;
  rowsPerTable: number;
  maxParallelTables: number;
  /**
   * Rows of the wide-values table (a SUPER and a VARBYTE column, values from 1 byte to
   * 1 MB in cycles of 21 sizes doubling each step; 2625 rows ≈ 1.05 GB as unloaded).
   */
  wideRows: number;
  /**
   * Start the worker with a workflow bundle built beforehand (FERRY_WORKFLOW_BUNDLE, as the
   * Dockerfile deploys it), or let it run webpack at start (`npm run worker`'s way).
   */
  prebuiltBundle: boolean;
  /** Write docs/benchmarks.md (off for experiments that should not replace the published figures). */
  writeDoc: boolean;
  /** Measure nothing: print and write the last default-setting results of --scale again (after a report change). */
  reportOnly: boolean;
  /** Keep the bench databases afterwards (for poking at them). */
  keep: boolean;
  /**
   * One ferry knob measured at several values inside the same run (ferry copy once per value
   * in every round), so the values compare without the drift between separate runs.
   */
  sweep?: Sweep;
  /** Extra environment for the bench's own redshift-local. */
  redshiftLocalEnv: Record<string, string>;
}

const USAGE = `usage: npm run bench -- [options]
  --scale N                pgbench scale of the source table (default 20 ≈ 2M rows, 256 MB)
  --runs N                 repetitions per measurement, best counts (default 3)
  --quick                  smoke run: --scale 1 --runs 1 --tables 20 --wide-rows 210, no doc written
  --only a,b,…             measurements: ${MEASUREMENTS.join(', ')} (default all)
  --compression gzip|none  UNLOAD compression (default gzip, ferry's default)
  --max-file-size-mb N     UNLOAD MAXFILESIZE (default 64, ferry's default)
  --parallel-loads N       load.maxParallelLoads (default 4, ferry's default)
  --unload-parallel on|off UNLOAD PARALLEL (default on, ferry's default)
  --slices N               redshift-local slices (default 4)
  --pgloader-concurrency N pgloader writers per table (default 2)
  --tables N               tables in the many-tables measurement (default 200)
  --rows-per-table N       rows in each of them (default 1000)
  --max-parallel-tables N  tables moved at once (default 8)
  --wide-rows N            rows of the wide-values table (SUPER + VARBYTE up to 1 MB; default 2625 ≈ 1.05 GB unloaded)
  --sweep KNOB=V1,V2,…     ferry copy at each value, interleaved in every round (${SWEEPABLE.join(', ')})
  --redshift-local-env K=V environment for the bench's redshift-local (repeatable)
  --webpack-at-start       worker bundles its workflows at start instead of loading a prebuilt bundle
  --no-doc                 do not write docs/benchmarks.md
  --report-only            measure nothing; rewrite the report from the saved results of --scale
  --keep                   keep the bench databases`;

export function parseOptions(argv: string[]): BenchOptions {
  const o: BenchOptions = {
    scale: 20,
    runs: 3,
    only: [...MEASUREMENTS],
    compression: 'gzip',
    maxFileSizeMb: 64,
    parallelLoads: 4,
    unloadParallel: true,
    slices: 4,
    pgloaderConcurrency: 2,
    tables: 200,
    rowsPerTable: 1000,
    maxParallelTables: 8,
    wideRows: 2625,
    prebuiltBundle: true,
    writeDoc: true,
    reportOnly: false,
    keep: false,
    redshiftLocalEnv: {},
  };
  const int = (flag: string, value: string | undefined, min = 1): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) fail(`${flag} needs an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    switch (flag) {
      case '--scale':
        o.scale = int(flag, value());
        break;
      case '--runs':
        o.runs = int(flag, value());
        break;
      case '--quick':
        Object.assign(o, { scale: 1, runs: 1, tables: 20, wideRows: 210, writeDoc: false });
        break;
      case '--only': {
        const names = (value() ?? '').split(',').filter(Boolean);
        const unknown = names.filter((n) => !(MEASUREMENTS as readonly string[]).includes(n));
        if (unknown.length || names.length === 0) fail(`--only takes ${MEASUREMENTS.join(', ')}; got ${unknown.join(', ') || 'nothing'}`);
        o.only = names as Measurement[];
        break;
      }
      case '--compression': {
        const c = value();
        if (c !== 'gzip' && c !== 'none') fail('--compression is gzip or none (the loaders read no other)');
        o.compression = c;
        break;
      }
      case '--max-file-size-mb':
        o.maxFileSizeMb = int(flag, value(), 5);
        break;
      case '--parallel-loads':
        o.parallelLoads = int(flag, value());
        break;
      case '--unload-parallel': {
        const v = value();
        if (v !== 'on' && v !== 'off') fail('--unload-parallel is on or off');
        o.unloadParallel = v === 'on';
        break;
      }
      case '--slices':
        o.slices = int(flag, value());
        break;
      case '--pgloader-concurrency':
        o.pgloaderConcurrency = int(flag, value());
        break;
      case '--tables':
        o.tables = int(flag, value());
        break;
      case '--rows-per-table':
        o.rowsPerTable = int(flag, value());
        break;
      case '--max-parallel-tables':
        o.maxParallelTables = int(flag, value());
        break;
      case '--wide-rows':
        o.wideRows = int(flag, value());
        break;
      case '--sweep': {
        const [knob, list] = (value() ?? '').split('=');
        if (!(SWEEPABLE as readonly string[]).includes(knob) || !list) fail(`--sweep takes KNOB=V1,V2 with KNOB one of ${SWEEPABLE.join(', ')}`);
        o.sweep = { knob: knob as Sweep['knob'], values: list.split(',') };
        for (const v of o.sweep.values) parseOptions([`--${knob}`, v]); // validates each value
        break;
      }
      case '--redshift-local-env': {
        const [k, ...v] = (value() ?? '').split('=');
        if (!k || v.length === 0) fail('--redshift-local-env takes KEY=VALUE');
        o.redshiftLocalEnv[k] = v.join('=');
        break;
      }
      case '--webpack-at-start':
        o.prebuiltBundle = false;
        break;
      case '--no-doc':
        o.writeDoc = false;
        break;
      case '--report-only':
        o.reportOnly = true;
        break;
      case '--keep':
        o.keep = true;
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        return process.exit(0);
      default:
        fail(`unknown option ${flag}`);
    }
  }
  return o;
}

/** The knobs that differ from ferry's defaults, for labelling a run. */
export function nonDefaultKnobs(o: BenchOptions): string[] {
  const d = parseOptions([]);
  const out: string[] = [];
  if (o.compression !== d.compression) out.push(`--compression ${o.compression}`);
  if (o.maxFileSizeMb !== d.maxFileSizeMb) out.push(`--max-file-size-mb ${o.maxFileSizeMb}`);
  if (o.parallelLoads !== d.parallelLoads) out.push(`--parallel-loads ${o.parallelLoads}`);
  if (o.unloadParallel !== d.unloadParallel) out.push(`--unload-parallel ${o.unloadParallel ? 'on' : 'off'}`);
  if (o.slices !== d.slices) out.push(`--slices ${o.slices}`);
  if (o.pgloaderConcurrency !== d.pgloaderConcurrency) out.push(`--pgloader-concurrency ${o.pgloaderConcurrency}`);
  if (o.tables !== d.tables) out.push(`--tables ${o.tables}`);
  if (o.rowsPerTable !== d.rowsPerTable) out.push(`--rows-per-table ${o.rowsPerTable}`);
  if (o.maxParallelTables !== d.maxParallelTables) out.push(`--max-parallel-tables ${o.maxParallelTables}`);
  if (o.wideRows !== d.wideRows) out.push(`--wide-rows ${o.wideRows}`);
  for (const [k, v] of Object.entries(o.redshiftLocalEnv)) out.push(`--redshift-local-env ${k}=${v}`);
  if (!o.prebuiltBundle) out.push('--webpack-at-start');
  if (o.sweep) out.push(`--sweep ${o.sweep.knob}=${o.sweep.values.join(',')}`);
  return out;
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}
