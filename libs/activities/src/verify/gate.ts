import type { Client } from 'pg';
import {
  carriedCheckExpression,
  carriedHashExpression,
  carriedMismatchCount,
  carriedMismatchRows,
  comparable,
  compareSides,
  databaseSide,
  differingBuckets,
  postgresSide,
  redshiftSide,
  rowsByKeyStatement,
  toLeafRows,
  TOP_LEVEL,
  type LeafRow,
  type SideQuery,
  type VerifiedColumn,
} from '@ferry/checksum';
import { displayName, quoteQualified, run, statement, type Session } from '@ferry/sql';
import { canonicalSessionSql, type LoadConversion, type SourceType } from '@ferry/type-map';
import type { Comparison, Segments, TransferPlan, VerifyReport } from '@ferry/contract';
import { checksumMismatch } from '../failure-messages/verify';
import { checkDigest } from '@ferry/postgres';

/** The columns a transfer moves, as the checksum gate compares them: with their staging conversions on the target side. */
function planColumns(plan: TransferPlan, staged: boolean): VerifiedColumn[] {
  return plan.target.columns.map((name) => ({
    name,
    type: plan.source.types![name],
    ...(staged && plan.target.conversions?.[name] && { conversion: plan.target.conversions[name] }),
  }));
}

const sourceQuery = (plan: TransferPlan) => redshiftSide(plan.source.from!, plan.source.where, planColumns(plan, false), plan.verify!.key);

/**
 * The column prepare adds to the UNLOAD's SELECT under `verify: checksum`: each row's hash,
 * computed by the source from the very rows UNLOAD writes (one snapshot, every slice at once).
 */
export function carriedHashColumn(from: string, where: string | undefined, types: Record<string, SourceType>): string {
  const columns = Object.entries(types).map(([name, type]) => ({ name, type }));
  return carriedHashExpression(redshiftSide(from, where, columns, [], { inUnload: true }));
}

/**
 * The CHECK prepare puts on staging: each row, as it will be published (after the staging
 * conversions), hashes to what it carries. COPY runs it on every row, so it is specialized to
 * the target (integer columns, a UTF-8 database); it prints the same texts as the generic side.
 */
export function carriedCheckOn(
  types: Record<string, SourceType>,
  conversions: Record<string, LoadConversion>,
  target: { bases: Record<string, string>; utf8: boolean },
): string {
  const columns = Object.entries(types).map(([name, type]) => ({
    name,
    type,
    ...(conversions[name] ? { conversion: conversions[name] } : target.bases[name] && { targetBase: target.bases[name] }),
  }));
  return carriedCheckExpression(postgresSide('', columns, [], { inUnload: true, utf8: target.utf8 }));
}

/** Runs inside the UNLOAD's transaction: the checksum of exactly the rows UNLOAD read (plans prepared before carried row hashes). */
export async function sourceChecksum(client: Client, plan: TransferPlan): Promise<Segments> {
  return (await databaseSide(client, sourceQuery(plan))).segments(TOP_LEVEL);
}

export const GATE_LIMITS = { maxDifferences: 20, leafRows: 200 };

/**
 * The checksum gate, in finalize's transaction before publishing: staging (as it will be
 * published) against the source's checksum from the UNLOAD's snapshot. When they differ,
 * the differing keys are found against the live source, and the run fails with them.
 */
export async function checksumGate(
  client: Client,
  plan: TransferPlan,
  snapshot: Segments,
  openSource: <T>(fn: (c: Client) => Promise<T>) => Promise<T>,
): Promise<void> {
  const staging = await databaseSide(client, postgresSide(quoteQualified(plan.target.staging), planColumns(plan, true), plan.verify!.key));
  const staged = await staging.segments(TOP_LEVEL);
  if (differingBuckets(snapshot, staged).length === 0) return;
  const report = await openSource(async (source) => {
    const comparison = await compareSides(await databaseSide(source, sourceQuery(plan)), staging, { ...GATE_LIMITS, sourceSnapshot: snapshot });
    const { compared, leftOut } = comparable(planColumns(plan, false));
    return {
      ...comparison,
      source: plan.source.label,
      target: displayName(plan.target.table),
      key: plan.verify!.key,
      compared: compared.map((c) => c.name),
      leftOut,
    } satisfies VerifyReport;
  });
  throw checksumMismatch(plan, report);
}

const canonicalSession = async (session: Session) => {
  for (const sql of canonicalSessionSql) await run(session, statement(sql));
};

/**
 * The checksum gate, in finalize before publishing. Each row passed staging's CHECK as COPY
 * wrote it; if the CHECK still stands as prepare made it, that proves every row. Otherwise
 * (dropped, replaced) one pass over staging (as it will be published) recomputes every row's
 * hash and compares it with the one the source wrote beside the row. Rows that differ are
 * named by key, and their columns found by reading the same keys from the live source (which
 * may have moved since the UNLOAD: the report says so).
 */
export async function carriedHashGate(
  client: Client,
  plan: TransferPlan,
  rows: number,
  openSource: <T>(fn: (c: Client) => Promise<T>) => Promise<T>,
): Promise<void> {
  const { key, check } = plan.verify!;
  // Every row COPY wrote passed the CHECK; while it stands unchanged, nothing since can have broken it.
  if (check && (await checkDigest(client, plan.target.staging, check.name)) === check.digest) return;
  const staging = postgresSide(quoteQualified(plan.target.staging), planColumns(plan, true), key, { inUnload: true });
  await canonicalSession(client);
  const differing = Number((await run<{ differing: string }>(client, carriedMismatchCount(staging))).rows[0].differing);
  if (differing === 0) return;

  const comparison: Comparison = {
    equal: false,
    rows: { source: rows, target: rows },
    missing: [],
    extra: [],
    changed: [],
    truncated: differing > GATE_LIMITS.maxDifferences,
    unlocated: key.length === 0,
    sourceChangedSinceSnapshot: false,
    queries: 1,
  };
  if (key.length > 0) {
    const found = await run<Record<string, string | null>>(client, carriedMismatchRows(staging, GATE_LIMITS.maxDifferences));
    const staged = toLeafRows(staging, found.rows).map((row, i) => ({ row, carried: found.rows[i].carried }));
    const live = await openSource(async (source) => {
      await canonicalSession(source);
      const side = redshiftSide(plan.source.from!, plan.source.where, planColumns(plan, false), key, { inUnload: true });
      return byKeyText(
        side,
        (
          await run<Record<string, string | null>>(
            source,
            rowsByKeyStatement(
              side,
              staged.map((s) => s.row.keyText),
            ),
          )
        ).rows,
      );
    });
    comparison.queries += 2;
    for (const { row, carried } of staged) {
      const now = live.get(row.keyText);
      // The live row still hashes to what the UNLOAD carried: its columns are the ones that differ.
      if (!now || now.hash !== carried?.replace(/-/g, '')) comparison.sourceChangedSinceSnapshot = true;
      comparison.changed.push({ key: row.key, columns: now ? Object.keys(row.columns).filter((c) => row.columns[c] !== now.columns[c]) : [] });
    }
  }
  const { compared, leftOut } = comparable(planColumns(plan, false), { inUnload: true });
  throw checksumMismatch(plan, {
    ...comparison,
    source: plan.source.label,
    target: displayName(plan.target.table),
    key,
    compared: compared.map((c) => c.name),
    leftOut,
  });
}

function byKeyText(side: SideQuery, rows: Record<string, string | null>[]): Map<string, LeafRow> {
  return new Map(toLeafRows(side, rows).map((r) => [r.keyText, r]));
}
