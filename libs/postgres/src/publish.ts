import { inTransaction, quoteIdent, quoteQualified, run, runAll, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import type { PublishPath, SyncPublished, TransferPlan, TwinIndex } from '@ferry/contract';
import { hasRows, isReferencedByForeignKey } from './catalog';
import { moveIdentitiesPastLoadedValues } from './identity-moves';
import { upsertLoadedColumns } from './loaded-columns';
import { appendRows, repeatedKey, replaceRows, upsertRows } from './publish-modes';
import { upsertPublished } from './published';
import { refusalOf, UpsertKeyRepeated } from './refusals';
import { swapBlockers } from './swap-blockers';
import { swapIn } from './swap';
import { twinMatchesTarget } from './table-shape';
import { dropStagingOnlyColumns } from './staging';
import { countTargetRows, syncRows, SyncProofFailed, type SyncPublishRequest } from './sync-publish';

// Finalize's one transaction: the target changes here and nowhere else. The locks each path
// takes are listed in ARCHITECTURE.md, "Load modes and locks".

export type TargetPlan = TransferPlan['target'];

export interface PublishRequest {
  target: TargetPlan;
  runId: string;
  /** The staged rows, recorded with the run. */
  rows: number;
  /** The twin's indexes, built, when the swap is to be tried (twinToSwapIn). */
  twin?: TwinIndex[];
  /** Columns only staging has (the source's row hashes): the twin drops them before it is compared with the target and swapped in. */
  stagingOnly?: string[];
  /** mode sync: the differing segments to replace and prove, or `full`: staging holds every row, published as a replace. */
  sync?: SyncPublishRequest | { full: true };
}

export interface PublishOutcome {
  path: PublishPath;
  sync?: SyncPublished;
}

/** The columns `addColumns` adds, just before publishing (always on the insert path). */
export const addColumns = (table: QualifiedName, added: { name: string; type: string }[]): Statement[] =>
  added.map((a) => statement(`ALTER TABLE ${quoteQualified(table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(a.name)} ${a.type}`));

export const lockForSwap = (table: QualifiedName): Statement => statement(`LOCK TABLE ${quoteQualified(table)} IN ACCESS EXCLUSIVE MODE`);

/**
 * Publishes the staged rows, then moves identity sequences past the loaded values and records
 * the loaded columns and the run as published, all in one transaction. Rows the target
 * refuses fail as RowsRefused, a repeated upsert key as UpsertKeyRepeated.
 */
export async function publishStaged(session: Session, r: PublishRequest): Promise<PublishOutcome> {
  const { target } = r;
  const schema = target.staging.schema;
  return inTransaction(session, async (tx) => {
    await runAll(tx, addColumns(target.table, target.addColumns ?? []));
    const outcome = await publishSyncOrBy(tx, r);
    await moveIdentitiesPastLoadedValues(tx, target.table, target.columns);
    await run(tx, upsertLoadedColumns(schema, target.table, target.columns));
    await run(tx, upsertPublished(schema, target.table, r.runId, { rows: r.rows, publish: outcome.path, ...(outcome.sync && { sync: outcome.sync }) }));
    return outcome;
  });
}

/**
 * A sync of differing segments deletes and writes only their rows; a sync that copied the
 * whole table publishes it as a replace does, and reports every row written and every row the
 * target had as deleted.
 */
async function publishSyncOrBy(tx: Session, r: PublishRequest): Promise<PublishOutcome> {
  if (r.target.mode !== 'sync') return { path: await publishBy(tx, r) };
  if (!r.sync) throw new Error('a sync is published with its segments, or as a full copy');
  if (!('full' in r.sync)) {
    const sync = await syncRows(tx, r.target, r.sync).catch((err: unknown) => {
      throw err instanceof SyncProofFailed ? err : refusalOf(err);
    });
    return { path: { path: 'insert' }, sync };
  }
  const before = Number((await run<{ rows: string }>(tx, countTargetRows(r.target))).rows[0].rows);
  return { path: await publishBy(tx, r), sync: { rowsWritten: r.rows, rowsDeleted: before } };
}

/** The twin's indexes when prepare planned a swap and, for an append, the target is still empty. */
export async function twinToSwapIn(session: Session, target: TargetPlan): Promise<TwinIndex[] | undefined> {
  const planned = target.publish;
  return planned?.path === 'swap' && (await stillEmptyForAppend(session, target)) ? planned.indexes : undefined;
}

/**
 * Swaps the twin in when that is still safe under the target's lock — nothing came to depend
 * on the target, its shape did not change since prepare, and an append's target is still
 * empty — and publishes by the mode's statements otherwise (the twin has the target's
 * columns, so it is a valid source for those too).
 */
async function publishBy(tx: Session, { target, twin, stagingOnly = [] }: PublishRequest): Promise<PublishPath> {
  const planned = target.publish ?? { path: 'insert' };
  if (twin) {
    await run(tx, lockForSwap(target.table));
    await runAll(tx, dropStagingOnlyColumns(target.staging, stagingOnly));
    const reason = await whyNotSwapNow(tx, target, twin);
    if (!reason) {
      await swapIn(tx, target.table, target.staging, twin);
      return { path: 'swap' };
    }
    await publishByStatements(tx, target);
    return { path: 'insert', reason };
  }
  await publishByStatements(tx, target);
  if (planned.path === 'swap') return { path: 'insert', reason: 'the target is no longer empty' };
  return { path: 'insert', ...(planned.reason && { reason: planned.reason }) };
}

async function whyNotSwapNow(tx: Session, target: TargetPlan, twin: TwinIndex[]): Promise<string | undefined> {
  if (!(await stillEmptyForAppend(tx, target))) return 'the target is no longer empty';
  const blockers = await swapBlockers(tx, target.table);
  if (blockers.length > 0) return `${blockers.join('; ')} (found under finalize's lock)`;
  if (!(await twinMatchesTarget(tx, target.table, target.staging, twin))) return "the target's columns, constraints or indexes changed during the run";
  return undefined;
}

/** A swap stands in for an append only while the target has no rows (a first load). */
async function stillEmptyForAppend(session: Session, target: TargetPlan): Promise<boolean> {
  return target.mode !== 'append' || !(await hasRows(session, target.table));
}

async function publishByStatements(tx: Session, target: TargetPlan): Promise<void> {
  await publishByMode[target.mode](tx, target).catch((err: unknown) => {
    throw refusalOf(err);
  });
}

const replaceByStatements = async (tx: Session, target: TargetPlan) => runAll(tx, replaceRows(target, await isReferencedByForeignKey(tx, target.table)));

const publishByMode: Record<TargetPlan['mode'], (tx: Session, target: TargetPlan) => Promise<void>> = {
  append: (tx, target) => run(tx, appendRows(target)).then(() => undefined),
  replace: replaceByStatements,
  // A sync that copied the whole table (publishSyncOrBy; its segments never come here).
  sync: replaceByStatements,
  upsert: async (tx, target) => {
    const repeated = await repeatedKey(tx, target);
    if (repeated) throw new UpsertKeyRepeated(repeated);
    await runAll(tx, upsertRows(target));
  },
};
