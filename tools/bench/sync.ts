import type { BenchContext } from './context';
import { SOURCE_DB, TABLE, TARGET_DB } from './databases';
import { ferryTransfer, type FerryKnobs } from './ferry';
import { postgresSide, redshiftSide, segmentsStatement, syncDepth } from '@ferry/checksum';
import type { SourceType } from '@ferry/type-map';
import { psql, timed } from './processes';

/** The sync's target: pgbench_accounts with its primary key, as a user's migrated table has it. */
const KEYED = 'public.pgbench_accounts_keyed';

/**
 * 0.1 % of the keys changed, in one of every 1,000 keys: 400 deleted, 800 balances updated,
 * 200 fillers set to NULL and 200 to another text, and 400 new keys. The changed rows are saved
 * first and put back afterwards, so every round (and every other measurement) reads the same source.
 */
const CHANGE = `
  CREATE TABLE bench_sync_saved AS SELECT * FROM ${TABLE} WHERE aid % 1000 = 7;
  CREATE TABLE bench_sync_max AS SELECT max(aid) AS m FROM ${TABLE};
  DELETE FROM ${TABLE} WHERE aid % 5000 = 7;
  UPDATE ${TABLE} SET abalance = abalance + 1 WHERE aid % 5000 IN (1007, 2007);
  UPDATE ${TABLE} SET filler = NULL WHERE aid % 10000 = 3007;
  UPDATE ${TABLE} SET filler = 'changed' WHERE aid % 10000 = 8007;
  INSERT INTO ${TABLE} SELECT m + g, 1, g, 'new' FROM bench_sync_max, generate_series(1, (SELECT count(*) / 5 FROM bench_sync_saved)::int) g;`;
const RESTORE = `
  DELETE FROM ${TABLE} WHERE aid % 1000 = 7 OR aid > (SELECT m FROM bench_sync_max);
  INSERT INTO ${TABLE} SELECT * FROM bench_sync_saved;
  DROP TABLE bench_sync_saved, bench_sync_max;`;

const COLUMNS: { name: string; type: SourceType; base: string }[] = [
  { name: 'aid', type: { kind: 'integer' }, base: 'int4' },
  { name: 'bid', type: { kind: 'integer' }, base: 'int4' },
  { name: 'abalance', type: { kind: 'integer' }, base: 'int4' },
  { name: 'filler', type: { kind: 'char', length: 84 }, base: 'bpchar' },
];

/**
 * Each side's share of the comparison, measured alone: the segment sums the sync computes on
 * the target (what the user's PostgreSQL spends) and on the source (what Redshift spends; here
 * redshift-local's PostgreSQL on the same cores, which the sync's wall time shares).
 */
async function compareShares(rows: number): Promise<{ sourceMs: number; targetMs: number }> {
  const depth = syncDepth(rows);
  const source = redshiftSide(TABLE, undefined, COLUMNS, ['aid'], { inUnload: true });
  const target = postgresSide(
    KEYED,
    COLUMNS.map((c) => ({ name: c.name, type: c.type, targetBase: c.base })),
    ['aid'],
    { inUnload: true, utf8: true },
  );
  // Every output read, or PostgreSQL leaves the unused sums uncomputed.
  const count = (sql: string) => `SELECT count(bucket), sum(rows), sum(sum) FROM (${sql}) AS s`;
  const sourceMs = (await timed(() => psql(SOURCE_DB, count(segmentsStatement(source, depth).text)))).ms;
  const targetMs = (
    await timed(() => psql(TARGET_DB, count(segmentsStatement(target, depth).text), ['-c', "SET work_mem = '64MB'", '-c', 'SET enable_sort = off']))
  ).ms;
  return { sourceMs, targetMs };
}

/** What both sides must agree on after the sync (ferry proves every value; this checks the bench's own setup). */
const SUMMARY = (table: string) => `SELECT count(*), sum(aid::bigint), sum(abalance::bigint), count(filler), sum(length(filler)) FROM ${table}`;

/**
 * The catch-up a cutover runs nightly: a full `replace` of the keyed table (the default proof
 * on) against a `sync` of the same table after 0.1 % of its keys changed, in one round each.
 */
export async function measureSync(ctx: BenchContext): Promise<void> {
  const { o, results } = ctx;
  const knobs: FerryKnobs = {
    method: 'copy',
    compression: o.compression,
    maxFileSizeMb: o.maxFileSizeMb,
    parallelLoads: o.parallelLoads,
    unloadParallel: o.unloadParallel,
  };
  await psql(
    TARGET_DB,
    `DROP TABLE IF EXISTS ${KEYED}; CREATE TABLE ${KEYED} (aid integer PRIMARY KEY, bid integer, abalance integer, filler character(84)); CHECKPOINT`,
  );
  const replace = await ferryTransfer(ctx.client, ctx.taskQueue, knobs, TABLE, undefined, { connection: 'postgres', table: KEYED, mode: 'replace' });
  const full = ctx.measured('sync-replace', 'ferry replace of the keyed table (the sync baseline)');
  full.runsMs.push(replace.wallMs);
  full.phases = { ...replace.result.durationsMs, locked: replace.result.lockedMs ?? 0, other: replace.wallMs - replace.result.durationsMs.total };
  full.note = `${replace.result.parts} parts, ${replace.result.publish?.path}`;

  await psql(SOURCE_DB, CHANGE);
  await psql(SOURCE_DB, 'CHECKPOINT');
  await psql(TARGET_DB, 'CHECKPOINT');
  try {
    const run = await ferryTransfer(ctx.client, ctx.taskQueue, knobs, TABLE, undefined, { connection: 'postgres', table: KEYED, mode: 'sync' });
    const sync = run.result.sync!;
    const [source, target] = [await psql(SOURCE_DB, SUMMARY(TABLE)), await psql(TARGET_DB, SUMMARY(KEYED))];
    if (source !== target) throw new Error(`after the sync the target (${target}) differs from the source (${source})`);
    if (sync.fellBackToFull) throw new Error(`the sync copied every row: ${sync.reason}`);
    const m = ctx.measured('sync', 'ferry sync after 0.1 % of keys changed', undefined, results.source.rows);
    m.runsMs.push(run.wallMs);
    m.phases = { ...run.result.durationsMs, locked: run.result.lockedMs ?? 0, other: run.wallMs - run.result.durationsMs.total };
    const share = (100 * sync.rowsUnloaded) / results.source.rows;
    m.note = `${sync.segmentsDiffering} of ${sync.segmentsCompared} segments, ${sync.rowsUnloaded} rows unloaded (${share.toFixed(2)} %), ${sync.rowsWritten} written, ${sync.rowsDeleted} deleted`;
    const phases = (r: typeof run.result) =>
      Object.entries({ ...r.durationsMs, locked: r.lockedMs ?? 0 })
        .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}`)
        .join(', ');
    ctx.log(`replace: ${phases(replace.result)}; sync: ${phases(run.result)}`);
    const shares = await compareShares(results.source.rows);
    m.note += `; segment sums alone: source ${(shares.sourceMs / 1000).toFixed(1)} s, target ${(shares.targetMs / 1000).toFixed(1)} s`;
    ctx.log(
      `sync: ${(run.wallMs / 1000).toFixed(1)} s against a replace of ${(replace.wallMs / 1000).toFixed(1)} s (${((100 * run.wallMs) / replace.wallMs).toFixed(0)} %); ${m.note}`,
    );
  } finally {
    await psql(SOURCE_DB, RESTORE);
    await psql(SOURCE_DB, `VACUUM ANALYZE ${TABLE}`);
  }
}
