import type { Client } from 'pg';
import type { SourceSession } from '../source-session';
import { comparable, compareSides, databaseSide, differingBuckets, postgresSide, redshiftSide, TOP_LEVEL, type VerifiedColumn } from '@ferry/checksum';
import { displayName, quoteQualified } from '@ferry/sql';
import type { Segments, TransferPlan, VerifyReport } from '@ferry/contract';
import { checksumMismatch } from '../failure-messages/verify';

// The checksum gate of plans prepared before carried row hashes (carried-gate.ts): segment
// checksums of the source from the UNLOAD's transaction, and of staging in finalize.

/** The columns a transfer moves, as the checksum gate compares them: with their staging conversions on the target side. */
export function planColumns(plan: TransferPlan, staged: boolean): VerifiedColumn[] {
  return plan.target.columns.map((name) => ({
    name,
    type: plan.source.types![name],
    ...(staged && plan.target.conversions?.[name] && { conversion: plan.target.conversions[name] }),
  }));
}

const sourceQuery = (plan: TransferPlan) => redshiftSide(plan.source.from!, plan.source.where, planColumns(plan, false), plan.verify!.key);

/** Runs inside the UNLOAD's transaction: the checksum of exactly the rows UNLOAD read (plans prepared before carried row hashes). */
export async function sourceChecksum(client: SourceSession, plan: TransferPlan): Promise<Segments> {
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
  openSource: <T>(fn: (c: SourceSession) => Promise<T>) => Promise<T>,
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
