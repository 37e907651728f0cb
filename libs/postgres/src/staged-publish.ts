import { runAll, type QualifiedName, type Session } from '@ferry/sql';
import type { LoadMode, PlannedPublish } from '@ferry/contract';
import type { LoadConversion } from '@ferry/type-map';
import { hasRows } from './catalog';
import { addStagingChecks, addStagingOnlyColumns, createInsertStaging } from './staging';
import { swapBlockers } from './swap-blockers';
import { createTwin } from './twin';

export interface StagingRequest {
  mode: LoadMode;
  target: QualifiedName;
  staging: QualifiedName;
  conversions: Record<string, LoadConversion>;
  /** Columns addColumns adds to the target on publish. */
  added: { name: string; type: string }[];
  /** Columns only staging has (the source's row hashes), dropped before a swap publishes it, and the CHECKs on them. */
  stagingOnly?: { name: string; type: string }[];
  checks?: { name: string; expression: string }[];
}

/**
 * (Re)creates the staging table — a failed earlier run's leftovers are replaced, not reused —
 * and says how finalize is to publish from it: where the target can be swapped, staging is
 * its twin (twin.ts); otherwise it has the target's columns and is published by INSERT.
 */
export async function createStaging(session: Session, r: StagingRequest): Promise<PlannedPublish> {
  const reason = await whyNotSwap(session, r);
  if (reason === undefined) {
    const indexes = await createTwin(session, r.target, r.staging);
    await runAll(session, stagingOnly(r));
    return { path: 'swap', indexes };
  }
  await runAll(session, [...createInsertStaging(r.target, r.staging, r.conversions, r.added), ...stagingOnly(r)]);
  return { path: 'insert', ...(reason && { reason }) };
}

const stagingOnly = (r: StagingRequest) => [...addStagingOnlyColumns(r.staging, r.stagingOnly ?? []), ...addStagingChecks(r.staging, r.checks ?? [])];

/**
 * undefined: publish by swapping a twin in. A `replace` swaps unless something stops it; an
 * `append` into a target that is empty now is a first load, which swaps too (finalize checks
 * it is still empty), and so is a first `sync` (a full copy); an `upsert`, other appends and
 * syncs insert, which is what they mean ('').
 */
async function whyNotSwap(session: Session, { mode, target, conversions, added }: StagingRequest): Promise<string | undefined> {
  if (mode === 'upsert') return '';
  if ((mode === 'append' || mode === 'sync') && (await hasRows(session, target))) return '';
  const converted = Object.keys(conversions);
  if (converted.length > 0) return stagedAsText(converted);
  if (added.length > 0) return 'columns are added to the target while publishing (onSchemaChange: addColumns)';
  const blockers = await swapBlockers(session, target);
  return blockers.length > 0 ? blockers.join('; ') : undefined;
}

const stagedAsText = (columns: string[]) =>
  `column ${columns.map((c) => JSON.stringify(c)).join(', ')} is staged as text and converted while publishing (VARBYTE and SUPER)`;
