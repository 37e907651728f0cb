import { activityInfo, ApplicationFailure, Context, log } from '@temporalio/activity';
import { redshiftConnection } from '@ferry/config';
import {
  loadTargetOf,
  syncResult,
  type FinalizeResult,
  type SmallTableInput,
  type SmallTableResult,
  type TransferPlan,
  type UnloadResult,
} from '@ferry/contract';
import { ensureBookkeeping, readPublished } from '@ferry/postgres';
import { useSource } from './source-session';
import type { ActivityDeps } from './deps';
import { cleanup, removeLeftovers } from './cleanup';
import { FailureType } from './failures';
import { finalize } from './finalize';
import { whileHeartbeating } from './heartbeat';
import { prepare } from './prepare';
import { resetStaging } from './reset-staging';
import { sourceRelation } from './source-columns';
import { locateTarget, runFolder } from './target-locations';
import { unload } from './unload';

/**
 * A pipeline's small table moved by one activity: prepare, UNLOAD, then finalize loads every
 * part and publishes — what the table's own workflow does with three activities, four
 * workflow tasks and a child workflow's start, each a round trip through Temporal.
 *
 * Small is the source catalog's estimate, read first (SVV_TABLE_INFO). A query, a view, an
 * empty table or a table without an estimate, or one estimated above `maxRows`, is handed back
 * untouched for its own workflow. A wrong estimate costs speed, never correctness: every part
 * the UNLOAD writes loads here, whatever their number.
 *
 * A retry first asks the target's ledger whether an earlier attempt published, and if so
 * only cleans up; otherwise it starts over: a fresh unload folder (attempt-<n>/), staging
 * emptied, a fresh load epoch, so nothing an earlier attempt loaded is counted.
 */
export async function transferSmallTable(deps: ActivityDeps, { prepare: input, maxRows }: SmallTableInput): Promise<SmallTableResult> {
  const started = Date.now();
  const relation = sourceRelation(input);
  if (!relation.table) return { handOff: 'the source is a query, which has no row estimate' };
  const table = relation.table;
  let estimate: number | undefined;
  try {
    estimate = await useSource(deps.sessions, redshiftConnection(deps.config, input.source.connection), 'ferry estimate', (reader) =>
      reader.readTableRows(table),
    );
  } catch (err) {
    // The estimate only picks the faster path: an SVV_TABLE_INFO the user may not read costs that path, never the table.
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('42')) return { handOff: `SVV_TABLE_INFO could not be read (${(err as Error).message})` };
    throw err;
  }
  if (estimate === undefined)
    return { handOff: `SVV_TABLE_INFO has no row estimate for ${relation.label} (a view, an empty table, or no SELECT on SVV_TABLE_INFO)` };
  if (estimate > maxRows) return { handOff: `${relation.label} has about ${estimate} rows, more than smallTables.maxRows (${maxRows})` };

  const { attempt } = activityInfo();
  let step = 'preparing';
  return whileHeartbeating(
    async () => {
      if (attempt > 1) {
        const done = await publishedBefore(deps, input);
        if (done) return { ...done, bytes: 0, parts: 0, lockedMs: 0, durationsMs: { prepare: 0, unload: 0, finalize: 0, total: Date.now() - started } };
      }
      const plan = await prepare(deps, input);
      const prepareMs = Date.now() - started;
      try {
        const load = loadTargetOf(plan);
        if (attempt > 1) await resetStaging(deps, { load, reason: `attempt ${attempt} of a small table starts over` });
        step = 'unloading';
        const unloaded = await unload(deps, { ...plan, partsRegistry: { signalEvery: 0 } }, { tellWorkflow: false, takeOver: false });
        const unloadMs = Date.now() - started - prepareMs;
        step = 'loading and publishing';
        const published = await loadAndPublish(deps, plan, unloaded, 2 * (attempt - 1));
        return {
          rows: published.rows,
          bytes: unloaded.bytes,
          parts: unloaded.partsRegistered,
          ...(published.loaded && { loaded: published.loaded }),
          publish: published.publish,
          lockedMs: published.lockedMs,
          ...(unloaded.sync && { sync: syncResult(unloaded.sync, unloaded.rows, published.sync) }),
          durationsMs: { prepare: prepareMs, unload: unloadMs, finalize: Date.now() - started - prepareMs - unloadMs, total: Date.now() - started },
        };
      } catch (err) {
        // Cancelled: the target is untouched, and the staging table and unloaded files serve nobody.
        if (Context.current().cancellationSignal.aborted) await cleanup(deps, plan);
        throw err;
      }
    },
    () => ({ phase: `small table: ${step}`, elapsedMs: Date.now() - started }),
  );
}

/**
 * Every part of the attempt loads inside finalize, then the registry's proof; parts that
 * disagree with the manifest are loaded again once, into emptied staging (as the table's
 * workflow does), and a second disagreement fails VerificationFailed.
 */
async function loadAndPublish(deps: ActivityDeps, plan: TransferPlan, unloaded: UnloadResult, epoch: number): Promise<FinalizeResult> {
  const { attempt } = unloaded;
  const once = (e: number, lastTry: boolean) =>
    finalize(deps, {
      plan,
      manifestRows: unloaded.rows,
      importedRows: 0,
      ...(unloaded.checksum && { sourceChecksum: unloaded.checksum }),
      ...(unloaded.sync && { sync: unloaded.sync }),
      cleanup: true,
      parts: { attempt, epoch: e, ...(lastTry && { lastTry }), loadFirst: { attempt, from: 0, to: unloaded.partsRegistered } },
    });
  try {
    return await once(epoch, false);
  } catch (err) {
    if (!(err instanceof ApplicationFailure && err.type === FailureType.partsDisagree)) throw err;
    log.warn('staging disagrees with the manifest; loading every part again', { reason: err.message });
    await resetStaging(deps, { load: loadTargetOf(plan), reason: err.message });
    return once(epoch + 1, true);
  }
}

/** What an earlier attempt published, its leftovers removed (its cleanup may not have finished). */
async function publishedBefore(
  deps: ActivityDeps,
  input: SmallTableInput['prepare'],
): Promise<{ rows: number; publish: FinalizeResult['publish'] } | undefined> {
  const where = locateTarget(deps, input.target, input.s3);
  const done = await deps.sessions.use(where.connection, 'ferry finalize', async (client) => {
    await ensureBookkeeping(client, where.staging.schema);
    return readPublished(client, where.staging.schema, where.table, input.runId);
  });
  if (!done) return undefined;
  await removeLeftovers(deps, where, input.runId, runFolder(where, input.runId));
  return { rows: done.rows, publish: done.publish };
}
