import type { Client } from 'pg';
import { log } from '@temporalio/activity';
import { displayName } from '@ferry/sql';
import { postgresConnection, redshiftConnection } from '@ferry/config';
import {
  buildTwinIndexes,
  countRows,
  loadSlots,
  ensureBookkeeping,
  proveParts,
  publishStaged,
  readPublished,
  RowsRefused,
  SyncProofFailed,
  twinToSwapIn,
  type PublishRequest,
  UpsertKeyRepeated,
} from '@ferry/postgres';
import type { ActivityDeps } from './deps';
import { useSource, type SourceSession } from './source-session';
import { FailureType, nonRetryable } from './failures';
import { whileHeartbeating } from './heartbeat';
import { inSlotOf, slotWaitMessage, type SlotWait } from './slot-wait';
import { cleanup } from './cleanup';
import {
  duplicateKeyFailure,
  partsDisagree,
  publishValueFailure,
  repeatedUpsertKeyFailure,
  rowCountsDisagree,
  syncProofFailure,
} from './failure-messages/publish';
import { scheduledBeforeTheRegistry } from './failure-messages/retired';
import { checksumGate } from './verify/gate';
import { carriedHashGate } from './verify/carried-gate';
import { loadTargetOf, type FinalizeInput, type FinalizeResult, type SyncCompared, type TransferPlan } from '@ferry/contract';
import { syncHashes, targetSyncSide } from './sync/sides';
import { loadRun, withColumns } from './load-part';

/**
 * Verifies the staged rows and publishes them into the target in one transaction (@ferry/postgres,
 * publish.ts): readers see the old rows or the new rows, never a mix, and a failed check changes
 * nothing; then cleans up. A tiny table's parts are loaded here first (the workflow saves their
 * own activity). The checks, and the twin's index builds, run before that transaction, so the
 * target is locked only while it is published.
 */
export async function finalize(deps: ActivityDeps, input: FinalizeInput): Promise<FinalizeResult> {
  // Workflows from before the parts registry proved the parts themselves.
  if (!input.parts) throw scheduledBeforeTheRegistry('finalize');
  const published = await verifyAndPublish(deps, input);
  // After the commit, so a failed cleanup only retries the cleanup: the retry finds the run published.
  await whileHeartbeating(() => cleanup(deps, input.plan));
  return published;
}

async function verifyAndPublish(deps: ActivityDeps, input: FinalizeInput): Promise<FinalizeResult> {
  const { plan, manifestRows, importedRows: given, sourceChecksum, parts } = input;
  const started = Date.now();
  const connection = postgresConnection(deps.config, plan.target.connection);
  const openSource = <T>(fn: (c: SourceSession) => Promise<T>) =>
    useSource(deps.sessions, redshiftConnection(deps.config, plan.source.connection), 'ferry verify', (_, session) => fn(session));
  const schema = plan.target.staging.schema;

  return whileHeartbeating((signal) =>
    deps.sessions.use(
      connection,
      'ferry finalize',
      async (client) => {
        await ensureBookkeeping(client, schema);
        const earlier = await readPublished(client, schema, plan.target.table, plan.runId);
        if (earlier) return { ...earlier, lockedMs: 0, durationMs: Date.now() - started };

        let importedRows = given;
        let loaded: FinalizeResult['loaded'];
        if (parts.loadFirst) {
          const load = await withColumns(client, loadTargetOf(plan));
          const progress = { part: 'tiny table', bytesRead: 0 };
          const waiting: SlotWait = (held, slots) => log.info(slotWaitMessage(connection, held, slots));
          const run = await inSlotOf(client, loadSlots(connection.maxConcurrentLoads), waiting, () =>
            loadRun({ deps, client, connection, load, epoch: parts.epoch, signal, progress }, parts.loadFirst!),
          );
          importedRows = run.rows;
          loaded = run.fresh;
        }
        const proof = await proveParts(client, schema, plan.runId, parts.attempt, parts.epoch);
        if (proof.problemCount > 0) throw partsDisagree(plan, proof, parts.lastTry ?? false);
        const staged = await countRows(client, plan.target.staging);
        if (manifestRows !== importedRows || importedRows !== staged) {
          throw rowCountsDisagree(plan, { manifest: manifestRows, imported: importedRows, staged });
        }
        if (plan.verify?.carried) await carriedHashGate(client, plan, staged, openSource);
        else if (plan.verify) {
          if (!sourceChecksum) throw nonRetryable('the plan asks for the checksum gate but the unload returned no checksum', FailureType.verification);
          await checksumGate(client, plan, sourceChecksum, openSource);
        }
        const twin = await twinToSwapIn(client, plan.target);
        if (twin) await buildTwinIndexes(client, plan.target.staging, twin).catch((err: unknown) => Promise.reject(describePublishError(err, plan)));

        const sync = plan.sync && (await syncRequest(client, plan, input.sync, parts.attempt));
        const lockStarted = Date.now();
        const stagingOnly = plan.verify?.carried ? [plan.verify.carried] : [];
        const outcome = await publishStaged(client, { target: plan.target, runId: plan.runId, rows: staged, twin, stagingOnly, sync }).catch((err: unknown) =>
          Promise.reject(describePublishError(err, plan)),
        );
        const { path } = outcome;
        const lockedMs = Date.now() - lockStarted;
        log.info('published', {
          target: displayName(plan.target.table),
          mode: plan.target.mode,
          rows: staged,
          path: path.path,
          ...(path.reason && { reason: path.reason }),
          ...outcome.sync,
          lockedMs,
        });
        return {
          rows: staged,
          publish: path,
          lockedMs,
          ...(outcome.sync && { sync: outcome.sync }),
          ...(loaded && { loaded }),
          durationMs: Date.now() - started,
        };
      },
      signal,
    ),
  );
}

/**
 * What a sync publishes: the attempt's differing segments, proven with the target's hashes,
 * or (the target was empty, or too much differed) every row, as a replace.
 */
async function syncRequest(client: Client, plan: TransferPlan, compared: SyncCompared | undefined, attempt: number): Promise<PublishRequest['sync']> {
  if (!compared) throw nonRetryable('a sync is finalized with what its unload compared, and none was given', FailureType.verification);
  if (compared.fellBackToFull) return { full: true };
  const side = await targetSyncSide(client, plan);
  return { runId: plan.runId, attempt, sourceRows: compared.sourceRows, hashes: syncHashes(side, plan.sync!.depth), carried: plan.verify!.carried! };
}

/** What the staged rows themselves caused fails the same way on every retry: say so at once. */
function describePublishError(err: unknown, plan: TransferPlan): unknown {
  if (err instanceof SyncProofFailed) return syncProofFailure(plan, err);
  if (err instanceof UpsertKeyRepeated) return repeatedUpsertKeyFailure(plan, err.key);
  if (!(err instanceof RowsRefused)) return err;
  if (err.error.code === '23505') return duplicateKeyFailure(plan, err.error);
  return publishValueFailure(plan, err.error);
}
