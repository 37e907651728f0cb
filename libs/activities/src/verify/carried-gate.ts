import type { Client } from 'pg';
import type { SourceSession } from '../source-session';
import {
  carriedCheckExpression,
  carriedHashExpression,
  carriedMismatchCount,
  carriedMismatchRows,
  comparable,
  postgresSide,
  redshiftSide,
  rowsByKeyStatement,
  toLeafRows,
  type LeafRow,
  type SideQuery,
} from '@ferry/checksum';
import { checkDigest } from '@ferry/postgres';
import { displayName, quoteQualified, run, statement, type Session } from '@ferry/sql';
import { canonicalSessionSql, type LoadConversion, type SourceType } from '@ferry/type-map';
import type { Comparison, TransferPlan } from '@ferry/contract';
import { checksumMismatch } from '../failure-messages/verify';
import { GATE_LIMITS, planColumns } from './gate';

// The checksum gate (docs/verification.md): the source's row hashes carried by the UNLOAD,
// checked by staging's CHECK as COPY writes each row, confirmed in finalize.

/** A transfer's columns in unload order (the row hash joins them in that order on both sides). */
type OrderedColumns = { name: string; type: SourceType }[];

/**
 * The column the unload adds to the SELECT under `verify: checksum`: each row's hash, computed
 * by the source from the very rows UNLOAD writes (one snapshot, every slice at once).
 */
export function carriedHashColumn(from: string, where: string | undefined, columns: OrderedColumns): string {
  return carriedHashExpression(redshiftSide(from, where, columns, [], { inUnload: true }));
}

/**
 * The CHECK prepare puts on staging: each row, as it will be published (after the staging
 * conversions), hashes to what it carries. COPY runs it on every row, so it is specialized to
 * the target (integer columns, a UTF-8 database); it prints the same texts as the generic side.
 */
export function carriedCheckOn(
  columns: OrderedColumns,
  conversions: Record<string, LoadConversion>,
  target: { bases: Record<string, string>; utf8: boolean },
): string {
  const staged = columns.map(({ name, type }) => ({
    name,
    type,
    ...(conversions[name] ? { conversion: conversions[name] } : target.bases[name] && { targetBase: target.bases[name] }),
  }));
  return carriedCheckExpression(postgresSide('', staged, [], { inUnload: true, utf8: target.utf8 }));
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
  openSource: <T>(fn: (c: SourceSession) => Promise<T>) => Promise<T>,
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
    const side = redshiftSide(plan.source.from!, plan.source.where, planColumns(plan, false), key, { inUnload: true });
    const live = await openSource((source) =>
      liveRows(
        source,
        side,
        staged.map((s) => s.row.keyText),
      ),
    );
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

/** The source's rows with these key texts as they are now, by key text. */
async function liveRows(source: SourceSession, side: SideQuery, keyTexts: string[]): Promise<Map<string, LeafRow>> {
  await canonicalSession(source);
  const { rows } = await run<Record<string, string | null>>(source, rowsByKeyStatement(side, keyTexts));
  return new Map(toLeafRows(side, rows).map((r) => [r.keyText, r]));
}
