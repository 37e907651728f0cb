import { Client as PgClient } from 'pg';
import type { BenchContext } from './context';
import { createWideTable, resetWideTarget, SOURCE_DB, TARGET_DB, WIDE_TABLE, wideDigests } from './databases';
import { ferryTransfer } from './ferry';
import { sampleRss } from './memory';
import type { WideResults } from './results';

/** OIDs a result description gives Redshift's SUPER and VARBYTE (bytea's 17 is VARBYTE too, in ferry's type map). */
const SUPER_OIDS = [4000];
const VARBYTE_OIDS = [6551, 17];

/**
 * Wide values: a table with a SUPER and a VARBYTE column, values from 1 byte to 1 MB,
 * moved end to end by ferry (`copy`, the data passes through the worker) while the worker's
 * resident set is sampled. Memory is the figure; each run is also checked value by value.
 * At most 2 runs: a run moves over a GB of text, and memory does not need a best of 3.
 */
export async function measureWide(ctx: BenchContext, redshift: { port: number; pid: number }): Promise<WideResults> {
  const { o } = ctx;
  ctx.log(`wide values: generating ${o.wideRows} rows`);
  const source = await createWideTable(o.wideRows);
  const base: WideResults = {
    when: ctx.results.when,
    command: ctx.results.command,
    ...source,
    columnOids: await reportedOids(redshift.port),
    knobs: { method: 'copy', compression: o.compression, maxFileSizeMb: o.maxFileSizeMb, parallelLoads: o.parallelLoads, unloadParallel: o.unloadParallel },
    runsMs: [],
    peakRssMb: 0,
    redshiftLocalPeakRssMb: 0,
  };
  ctx.log(
    `wide values: ${source.rows} rows, ${(source.valueBytes / 1e6).toFixed(0)} MB of values (largest ${(source.maxValueBytes / 1e6).toFixed(2)} MB), ${(source.unloadedTextBytes / 1e6).toFixed(0)} MB as unloaded text; redshift-local reports j as OID ${base.columnOids.j}, b as OID ${base.columnOids.b}`,
  );
  try {
    if (!SUPER_OIDS.includes(base.columnOids.j) || !VARBYTE_OIDS.includes(base.columnOids.b)) {
      throw new Error(
        `redshift-local reports the jsonb column as OID ${base.columnOids.j} and the bytea column as OID ${base.columnOids.b}; ferry's type map needs SUPER (${SUPER_OIDS.join('/')}) and VARBYTE (${VARBYTE_OIDS.join('/')}) and refuses anything else`,
      );
    }
    const expected = await wideDigests(SOURCE_DB);
    for (let round = 1; round <= Math.min(o.runs, 2); round++) {
      await resetWideTarget();
      const worker = sampleRss(ctx.workerPid);
      const proxy = sampleRss(redshift.pid);
      const { wallMs, result } = await ferryTransfer(ctx.client, ctx.taskQueue, base.knobs, WIDE_TABLE, 20 * 60_000);
      const peak = worker.stop();
      base.redshiftLocalPeakRssMb = Math.max(base.redshiftLocalPeakRssMb ?? 0, proxy.stop());
      base.peakRssMb = Math.max(base.peakRssMb, peak);
      if (result.rows !== source.rows) throw new Error(`ferry moved ${result.rows} wide rows, expected ${source.rows}`);
      base.verified = compareDigests(expected, await wideDigests(TARGET_DB));
      if (base.verified.mismatches)
        throw new Error(`the target differs from the source in ${base.verified.mismatches} of ${source.rows} rows (first: id ${base.verified.firstMismatch})`);
      if (wallMs < Math.min(Infinity, ...base.runsMs))
        base.phases = { ...result.durationsMs, locked: result.lockedMs ?? 0, other: wallMs - result.durationsMs.total };
      base.runsMs.push(wallMs);
      base.parts = result.parts;
      base.objectBytes = result.bytes;
      ctx.log(
        `wide values: ${(wallMs / 1000).toFixed(1)} s (unload ${(result.durationsMs.unload / 1000).toFixed(1)}, load ${(result.durationsMs.load / 1000).toFixed(1)}, finalize ${(result.durationsMs.finalize / 1000).toFixed(1)} s), ${result.parts} parts, ${(result.bytes / 1e6).toFixed(0)} MB of parts, worker peak ${peak.toFixed(0)} MB, ${source.rows} rows identical`,
      );
    }
  } catch (err) {
    base.error = (err as Error).message.split('\n')[0];
    ctx.log(`wide values failed: ${(err as Error).message}`);
  }
  return base;
}

/** The column types redshift-local's result description gives the wide table, as ferry's prepare sees them. */
async function reportedOids(port: number): Promise<{ j: number; b: number }> {
  const client = new PgClient({ host: '127.0.0.1', port, database: SOURCE_DB });
  await client.connect();
  try {
    const { fields } = await client.query(`SELECT j, b FROM ${WIDE_TABLE} LIMIT 0`);
    return { j: fields[0].dataTypeID, b: fields[1].dataTypeID };
  } finally {
    await client.end();
  }
}

function compareDigests(source: Map<number, string>, target: Map<number, string>): NonNullable<WideResults['verified']> {
  let mismatches = 0;
  let firstMismatch: number | undefined;
  for (const id of new Set([...source.keys(), ...target.keys()])) {
    if (source.get(id) !== target.get(id)) {
      mismatches++;
      if (firstMismatch === undefined || id < firstMismatch) firstMismatch = id;
    }
  }
  return { rows: target.size, mismatches, ...(firstMismatch === undefined ? {} : { firstMismatch }) };
}
