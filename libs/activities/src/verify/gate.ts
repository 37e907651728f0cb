import type { Client } from 'pg';
import { ApplicationFailure } from '@temporalio/activity';
import { displayName, quoteQualified } from '@ferry/sql';
import { compareSides, differingBuckets } from './compare';
import { describeReport } from './report';
import { segments, TOP_LEVEL } from './segments';
import { comparable, postgresSide, sourceSide, type VerifiedColumn } from './sides';
import { FailureType } from '../failures';
import type { Segments, TransferPlan, VerifyReport } from '@ferry/contract';

/** The columns a transfer moves, as the checksum gate compares them: with their staging conversions on the target side. */
function planColumns(plan: TransferPlan, staged: boolean): VerifiedColumn[] {
  return plan.target.columns.map((name) => ({
    name,
    type: plan.source.types![name],
    ...(staged && plan.target.conversions?.[name] && { conversion: plan.target.conversions[name] }),
  }));
}

/** Runs inside the UNLOAD's transaction: the checksum of exactly the rows UNLOAD read. */
export async function sourceChecksum(client: Client, plan: TransferPlan): Promise<Segments> {
  const side = await sourceSide(client, plan.source.from!, plan.source.where, planColumns(plan, false), plan.verify!.key);
  return segments(side, TOP_LEVEL);
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
  const staging = await postgresSide(client, `${quoteQualified(plan.target.staging)}`, planColumns(plan, true), plan.verify!.key);
  const staged = await segments(staging, TOP_LEVEL);
  if (differingBuckets(snapshot, staged).length === 0) return;
  const report = await openSource(async (source) => {
    const side = await sourceSide(source, plan.source.from!, plan.source.where, planColumns(plan, false), plan.verify!.key);
    const comparison = await compareSides(side, staging, { ...GATE_LIMITS, sourceSnapshot: snapshot });
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
  throw ApplicationFailure.create({
    type: FailureType.verification,
    nonRetryable: true,
    message: `the staged rows of ${displayName(plan.target.table)} do not match the source's checksum; the target was not changed and staging table ${displayName(plan.target.staging)} is kept for inspection:\n${describeReport({ ...report, equal: false }).join('\n')}`,
    details: [report],
  });
}
