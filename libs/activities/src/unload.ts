import { GetObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { activityInfo, ApplicationFailure, Context, log } from '@temporalio/activity';
import { formatS3Url, listObjects } from '@ferry/s3';
import { redshiftConnection } from '@ferry/config';
import { inUnloadSlot, unloadSlotWaitMessage, type SlotWait } from './slot-wait';
import { unloadSelect, unloadStatement, unloadStatementName } from '@ferry/redshift';
import { useSource, type SourceSession } from './source-session';
import { dataApiAttempt } from './data-api-attempt';
import { stopsWorkOutsideWorker } from './work-outside-worker';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';
import { manifestKey, manifestParts } from './manifest';
import { watchParts } from './parts-watch';
import {
  PARTS_REGISTERED_SIGNAL,
  type PartsRegistered,
  type Segments,
  type SyncCompared,
  type TransferPlan,
  type UnloadInput,
  type UnloadResult,
} from '@ferry/contract';
import { partsRegistrar } from './parts-registrar';
import { scheduledBeforeTheRegistry } from './failure-messages/retired';
import { unloadRefusedFailure, unloadS3AccessFailure } from './failure-messages/source';
import { sourceChecksum } from './verify/gate';
import { carriedHashColumn } from './verify/carried-gate';
import { compareForSync, type SyncChoice } from './sync/compare';

/**
 * Runs UNLOAD on the source and reads back its manifest. While the statement runs, each part
 * that completes in the attempt's folder is registered on the target and the workflow told
 * how many there are (`partsRegistered`), so it loads them at once; the manifest then
 * confirms them, with their ETags from a listing taken after the statement, for finalize's
 * proof. Heartbeats while the statement runs; a cancelled activity cancels the statement on
 * the source (over the Data API only when no next attempt will take it over: a worker stopping,
 * or an attempt timed out while the run goes on, leaves it to the next attempt).
 */
export async function unload(deps: ActivityDeps, plan: UnloadInput, { tellWorkflow = true, takeOver = true } = {}): Promise<UnloadResult> {
  const started = Date.now();
  const ctx = Context.current();
  // Workflows from before the parts registry expect parts in signals and in the result.
  if (!plan.partsRegistry) throw scheduledBeforeTheRegistry('unload');
  const connection = redshiftConnection(deps.config, plan.source.connection);
  // Each attempt unloads into its own folder: an earlier attempt whose worker died may still
  // be writing (UNLOAD runs on inside the source), and must not overwrite this attempt's parts.
  // Over the Data API, an UNLOAD a dead worker left running is waited for, in its own folder.
  const dataApi = connection.transport === 'data-api' ? await dataApiAttempt(deps.sessions.dataApi(connection), { takeOver }) : undefined;
  const attempt = dataApi?.record.attempt ?? activityInfo().attempt;
  const folder = `${plan.s3.prefix}attempt-${attempt}/`;
  const unloadOf = (condition?: string) =>
    unloadStatement({
      select: selectWithCarriedHash(plan, condition),
      url: formatS3Url({ bucket: plan.s3.bucket, key: folder }),
      iamRole: connection.iamRole,
      ...plan.unload,
    });
  // A sync compares first, in the UNLOAD's transaction, and unloads only the differing segments.
  let sync: SyncChoice | undefined;
  let phase = plan.verify && !plan.verify.carried ? 'unloading and checksumming' : 'unloading';
  const comparing = plan.sync && !plan.sync.full;
  if (comparing) phase = 'comparing segments';
  const statement = comparing
    ? async (session: SourceSession) => {
        sync = await compareForSync(deps, plan, session, attempt).catch((err: Error) => {
          // Failures the comparison already described (the target's, the order's) stand as they are.
          throw err instanceof ApplicationFailure ? err : describeUnloadError(err, plan, 'the comparison of segments');
        });
        phase = sync.condition ? `moving ${sync.compared.segmentsDiffering} segments` : 'copying every row';
        log.info('sync compared', { ...sync.compared });
        return unloadOf(sync.condition);
      }
    : unloadOf();
  log.info('unload started', { source: plan.source.label, to: formatS3Url({ bucket: plan.s3.bucket, key: folder }) });

  // A small table's activity loads its parts itself: its workflow (a pipeline) has nothing to hear.
  const signal = tellWorkflow ? signalWorkflow<PartsRegistered>(PARTS_REGISTERED_SIGNAL) : async () => {};
  const registrar = partsRegistrar(deps, plan, attempt, (registered, named) => signal({ attempt, registered, ...(named.length > 0 && { named }) }));
  if (dataApi?.earlier) {
    await registrar.resume();
    log.info('taking over the UNLOAD an earlier attempt started', { statementId: dataApi.resume, attempt });
  }
  const watch = watchParts(deps.s3, plan.s3.bucket, folder, registrar.listed, { afterTick: registrar.retrySignal });
  const heartbeatDetails = () => ({ phase: waiting ?? phase, elapsedMs: Date.now() - started, ...(dataApi && { dataApi: dataApi.record }) });
  const runUnload = (signal: AbortSignal) =>
    useSource(
      deps.sessions,
      connection,
      'ferry unload',
      async (source, session) => {
        if (session instanceof pg.Client) session.on('notice', (msg) => log.info(`source: ${msg.message}`));
        return source.unload<Segments>({
          statement,
          describeError: (err) => describeUnloadError(err, plan),
          // Plans prepared before carried row hashes: the source's checksums from the snapshot the UNLOAD read.
          ...(plan.verify &&
            !plan.verify.carried && {
              inSnapshot: (session) =>
                sourceChecksum(session, plan).catch((err: Error) => {
                  throw describeUnloadError(err, plan, 'the checksum query');
                }),
            }),
        });
      },
      {
        signal,
        ...(dataApi && {
          durable: {
            clientToken: dataApi.record.clientToken,
            statementName: unloadStatementName(plan.runId, attempt),
            resume: dataApi.resume,
            signal,
            // Left running only for a next attempt that takes it over.
            cancelsOnAbort: async () => !takeOver || (await stopsWorkOutsideWorker(ctx)),
            // Recorded at once (a heartbeat now, not at the next tick): a retry finds the statement to wait for.
            onStarted: (id) => {
              dataApi.record.statementId = id;
              ctx.heartbeat(heartbeatDetails());
            },
          },
        }),
      },
    );
  let waiting: string | undefined;
  const onWait: SlotWait = (held, slots) => {
    if (waiting === undefined) log.info('every UNLOAD slot of the source is held; waiting', { held, slots });
    waiting = unloadSlotWaitMessage(plan.source.connection, held, slots);
  };
  const checksum = await whileHeartbeating(
    (signal) =>
      inUnloadSlot(deps, plan, signal, onWait, () => {
        waiting = undefined;
        return runUnload(signal);
      }),
    heartbeatDetails,
  ).finally(() => watch.stop());
  // Should this attempt fail from here on, the next one unloads afresh rather than rereading this folder (recorded by the next heartbeat).
  if (dataApi) dataApi.record.finishedSeenBy = activityInfo().attempt;

  // The manifest is read as it arrives and registered in batches: per part, only its listed
  // ETag and its registry number stay in memory (~40 bytes of heap each at 300,000 parts).
  // Heartbeating still: listing and registering 300,000 parts takes longer than the heartbeat timeout.
  phase = 'reading the manifest';
  const manifest = { parts: 0, rows: 0, bytes: 0 };
  const registry = await whileHeartbeating(async () => {
    const etags = await listEtags(deps, plan.s3.bucket, folder);
    const res = await deps.s3.send(new GetObjectCommand({ Bucket: plan.s3.bucket, Key: manifestKey(folder) }));
    return registrar.manifest(
      (async function* () {
        for await (const part of manifestParts(res.Body as AsyncIterable<Uint8Array>, plan.s3.bucket, folder)) {
          const etag = etags.get(part.key);
          // S3 is strongly consistent for listings after a write: a missing part is not a delay.
          if (etag === undefined) throw new Error(`the UNLOAD manifest lists ${part.name}, but its folder holds no such object`);
          manifest.parts++;
          manifest.rows += part.rows;
          manifest.bytes += part.bytes;
          yield { ...part, etag };
        }
      })(),
    );
  }, heartbeatDetails);
  log.info('unload finished', manifest);
  return {
    rows: manifest.rows,
    bytes: manifest.bytes,
    partsRegistered: registry.registered,
    named: registry.named,
    attempt,
    ...(checksum && { checksum }),
    ...(plan.sync && { sync: syncCompared(plan, sync, manifest.rows) }),
    durationMs: Date.now() - started,
  };
}

/** A sync that copied every row because the target was empty compared nothing: the snapshot's rows are the manifest's. */
function syncCompared(plan: TransferPlan, choice: SyncChoice | undefined, rows: number): SyncCompared {
  if (choice) return choice.compared;
  return { segmentsCompared: 0, segmentsDiffering: 0, sourceRows: rows, fellBackToFull: true, reason: plan.sync!.full };
}

/**
 * The plan's SELECT, with the checksum gate's row hash after the columns. Built here from the
 * plan's columns and types rather than stored in the plan: for a wide table the hash
 * expression is tens of KB, and the plan is in history once per step.
 */
function selectWithCarriedHash(plan: TransferPlan, condition?: string): string {
  if (!plan.verify?.carried) return plan.source.select;
  const { from, where, types } = plan.source;
  const columns = plan.target.columns.map((name) => ({ name, type: types![name] }));
  const rows = [where, condition].filter(Boolean).join(' AND ') || undefined;
  return unloadSelect({ from: from! }, columns, rows, [carriedHashColumn(from!, where, columns)]);
}

/**
 * Signals this activity's own workflow through the worker's client. A workflow that has
 * ended (this attempt outlived it) needs nothing more.
 */
function signalWorkflow<T>(name: string): (payload: T) => Promise<void> {
  const ctx = Context.current();
  const execution = ctx.info.workflowExecution;
  let gone = !execution;
  return async (payload) => {
    if (gone || !execution) return;
    try {
      await ctx.client.workflow.getHandle(execution.workflowId, execution.runId).signal<[T]>(name, payload);
    } catch (err) {
      // By name: @temporalio/client is the worker's, not a dependency of this library.
      if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
      gone = true;
    }
  };
}

/** Each object's ETag as listed now, after the statement: what every load must have read. */
async function listEtags(deps: ActivityDeps, bucket: string, folder: string): Promise<Map<string, string>> {
  const listed = new Map<string, string>();
  for await (const o of listObjects(deps.s3, bucket, folder)) listed.set(o.key, o.etag);
  return listed;
}

/** S3 permission and addressing errors repeat on every retry: fail at once and say where to look. */
function describeUnloadError(err: Error, plan: TransferPlan, statement = 'UNLOAD'): Error {
  // The Data API's own refusal ("… is not authorized to perform: redshift-data:…"), not S3's: useSource names its fix.
  if (err.name === 'AccessDeniedException') return err;
  if (/access denied|InvalidAccessKeyId|SignatureDoesNotMatch|NoSuchBucket|not authorized|bucket does not exist/i.test(err.message)) {
    return unloadS3AccessFailure(plan, err);
  }
  // The source refused the statement itself (syntax, a missing function or column, a
  // permission, a value its query cannot compute): every retry would be refused the same way.
  const code = (err as { code?: string }).code;
  if (typeof code === 'string' && /^(42|22|0A)/.test(code)) return unloadRefusedFailure(plan, statement, code, err);
  return err;
}
