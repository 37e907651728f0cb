import {
  cursorRows,
  diffSegments,
  dropSegments,
  orderedSegments,
  segmentCondition,
  SegmentsOutOfOrder,
  summarizeSegments,
  type SegmentRow,
} from '@ferry/checksum';
import { segmentsOutOfOrder, syncTargetRefused } from '../failure-messages/source';
import { forgetSyncSegments, recordSyncSegments } from '@ferry/postgres';
import { postgresConnection } from '@ferry/config';
import { inTransaction, run, runAll, statement, type Session } from '@ferry/sql';
import { canonicalSessionSql } from '@ferry/type-map';
import type { SyncCompared, TransferPlan } from '@ferry/contract';
import type { ActivityDeps } from '../deps';
import { sourceSyncSide, targetSyncSide } from './sides';

/** Each side's segment summary, a temporary table of the comparing session. */
const SUMMARY = 'ferry_sync_summary';

/** On the target only (PostgreSQL settings): enough memory to sum up to 16^5 segments in a hash table. */
const TARGET_SUMMING = [statement(`SET LOCAL work_mem = '64MB'`), statement('SET LOCAL enable_sort = off')];

/** Segments recorded on the target per statement. */
const RECORD_BATCH = 10_000;

export interface SyncChoice {
  compared: SyncCompared;
  /** The UNLOAD's condition: the differing segments; none when the whole table is copied. */
  condition?: string;
}

/** Marks what the target's statements throw, so the unload does not blame the source for it. */
class TargetSideError extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}
const targetStep = <T>(p: Promise<T>) =>
  p.catch((err: Error) => {
    throw new TargetSideError(err);
  });
async function* fromTarget<T>(rows: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* rows;
  } catch (err) {
    throw new TargetSideError(err as Error);
  }
}

/**
 * The comparison's failures, said plainly: sides that sort segments apart, and a target that
 * refuses its half, fail at once; the source's own refusals are the unload's to describe.
 */
async function onTarget<T>(plan: TransferPlan, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof SegmentsOutOfOrder) throw segmentsOutOfOrder(plan, err);
    if (!(err instanceof TargetSideError)) throw err;
    const code = (err.error as { code?: string }).code;
    throw typeof code === 'string' && /^(42|22|0A)/.test(code) ? syncTargetRefused(plan, code, err.error) : err.error;
  }
}

const canonical = (session: Session) =>
  runAll(
    session,
    canonicalSessionSql.map((sql) => statement(sql)),
  );

/**
 * A sync's comparison, run in the UNLOAD's transaction on `source` before the UNLOAD itself:
 * the source's segments come from the snapshot the UNLOAD then reads, so the rows it moves and
 * the sums finalize proves them against are one state of the source. The target's segments are
 * read at the same time, in a REPEATABLE READ transaction of their own. The differing segments
 * are recorded on the target under this attempt; more than `fullCopyAbove` of them, and the
 * whole table is copied instead.
 */
export async function compareForSync(deps: ActivityDeps, plan: TransferPlan, source: Session, attempt: number): Promise<SyncChoice> {
  const sync = plan.sync!;
  const { depth, fullCopyAbove } = sync;
  const target = postgresConnection(deps.config, plan.target.connection);
  const limit = Math.ceil(fullCopyAbove * 16 ** depth);
  await canonical(source);
  const sourceSide = sourceSyncSide(plan);
  return deps.sessions.use(target, 'ferry sync', async (client) => {
    const diff = await onTarget(
      plan,
      inTransaction(
        client,
        async (tx) => {
          await canonical(tx);
          // Summed by hash rather than by sorting every row (PostgreSQL cannot know the segments are few).
          await runAll(tx, TARGET_SUMMING);
          const targetSide = await targetSyncSide(tx, plan);
          // Both sides sum at once; the merge then reads the two small summaries in order.
          await Promise.all([run(source, summarizeSegments(sourceSide, depth, SUMMARY)), targetStep(run(tx, summarizeSegments(targetSide, depth, SUMMARY)))]);
          const found = await diffSegments(
            cursorRows<SegmentRow>(source, 'ferry_sync_source', orderedSegments(SUMMARY)),
            fromTarget(cursorRows<SegmentRow>(tx, 'ferry_sync_target', orderedSegments(SUMMARY))),
            limit,
          );
          await Promise.all([run(source, dropSegments(SUMMARY)), targetStep(run(tx, dropSegments(SUMMARY)))]);
          return found;
        },
        { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ' },
      ),
    );
    const compared = { segmentsCompared: diff.compared, segmentsDiffering: diff.differing, sourceRows: diff.sourceRows };
    if (diff.overLimit || diff.differing > fullCopyAbove * diff.compared) {
      const reason = `${diff.differing} of ${diff.compared} segments differ, more than fullCopyAbove (${fullCopyAbove}): every row is copied`;
      return { compared: { ...compared, fellBackToFull: true, reason } };
    }
    const schema = plan.target.staging.schema;
    await inTransaction(client, async (tx) => {
      await run(tx, forgetSyncSegments(schema, plan.target.table, plan.runId, attempt));
      for (let i = 0; i < diff.segments.length; i += RECORD_BATCH) {
        await run(tx, recordSyncSegments(schema, plan.target.table, plan.runId, attempt, diff.segments.slice(i, i + RECORD_BATCH)));
      }
    });
    return {
      compared: { ...compared, fellBackToFull: false },
      condition: segmentCondition(
        sourceSide,
        depth,
        diff.segments.map((s) => s.segment),
      ),
    };
  });
}
