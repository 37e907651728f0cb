import { log } from '@temporalio/activity';
import type { Client } from 'pg';
import { postgresConnection, type PostgresConnection } from '@ferry/config';
import type { LoadPartInput, LoadPartResult, LoadTarget, RegisteredPart, RegisteredRun, ResolvedLoad } from '@ferry/contract';
import { insertLedgerRow, readLedgerRow, readRegisteredPart, readRunColumns, type RegisteredPartRow } from '@ferry/postgres';
import { inTransaction, run, type Session } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { importWithAwsS3 } from './import-aws-s3';
import { importWithCopy } from './import-copy';
import { describeImportError } from './import-errors';
import { whileHeartbeating } from './heartbeat';
import { inLoadSlot, slotWaitMessage, type SlotWait } from './slot-wait';
import { registeredPartGone, runColumnsGone } from './failure-messages/load';
import { scheduledBeforeTheRegistry } from './failure-messages/retired';

/**
 * The part's name in the ledger. A reset of staging keeps the ledger rows, so a zombie load
 * from before it still collides with its own row and rolls back; a part loaded again after a
 * reset (the manifest's slow path) is recorded under a name of its own epoch.
 */
export function ledgerPart(key: string, epoch = 0): string {
  return epoch === 0 ? key : `${key}#${epoch}`;
}

/**
 * Imports one registered part into the staging table (or a run of them, one after another).
 * The import and the part's ledger row commit in one transaction, so a part is in staging
 * exactly once however often this activity is retried: a later attempt finds the ledger row
 * and does nothing.
 */
export async function loadPart(deps: ActivityDeps, input: LoadPartInput): Promise<LoadPartResult> {
  // Workflows from before the parts registry gave the part itself.
  if (!('registered' in input) && !('registeredRun' in input)) throw scheduledBeforeTheRegistry('part load');
  const { epoch, load: given } = input;
  const started = Date.now();
  const connection = postgresConnection(deps.config, given.connection);
  const progress: { part: string; bytesRead: number; waiting?: string } = { part: describeInput(input), bytesRead: 0 };
  const waiting: SlotWait = (held, slots) => {
    if (progress.waiting === undefined) log.info('every load slot is held; waiting', { held, slots });
    progress.waiting = slotWaitMessage(connection, held, slots);
  };

  return whileHeartbeating(
    (signal) =>
      inLoadSlot(deps, connection, 'ferry load', signal, waiting, async (client) => {
        delete progress.waiting;
        const load = await withColumns(client, given);
        const one: OneLoad = { deps, client, connection, load, epoch, signal, progress };
        if ('registered' in input) return loadOne(one, await registeredPart(client, load, input.registered));
        // A run of small parts: each its own transaction, as if loaded one by one.
        const total = await loadRun(one, input.registeredRun);
        return { ...total, durationMs: Date.now() - started };
      }),
    () => ({ ...progress }),
  );
}

/** Registered parts one after another, each in its own transaction: what they add up to, and what this attempt loaded itself. */
export async function loadRun(one: OneLoad, { attempt, from, to }: RegisteredRun) {
  const total = { rows: 0, bytes: 0, skipped: 0, alreadyLoaded: true, fresh: { parts: 0, rows: 0, bytes: 0 } };
  for (let ordinal = from; ordinal < to; ordinal++) {
    const r = await loadOne(one, await registeredPart(one.client, one.load, { attempt, ordinal }));
    total.rows += r.rows;
    total.bytes += r.bytes;
    total.skipped += r.skipped ?? 0;
    // Skipped parts were never to be loaded: they do not make a retried run fresh.
    if (!r.skipped) total.alreadyLoaded &&= r.alreadyLoaded;
    if (!r.alreadyLoaded && !r.skipped) {
      total.fresh.parts++;
      total.fresh.rows += r.rows;
      total.fresh.bytes += r.bytes;
    }
  }
  return total;
}

export interface OneLoad {
  deps: ActivityDeps;
  client: Client;
  connection: PostgresConnection;
  load: ResolvedLoad;
  epoch?: number;
  signal: AbortSignal;
  progress: { part: string; bytesRead: number };
}

async function loadOne({ deps, client, connection, load, epoch, signal, progress }: OneLoad, part: RegisteredPartRow): Promise<LoadPartResult> {
  const started = Date.now();
  const schema = load.staging.schema;
  progress.part = part.name;
  // An empty part has nothing to load (and RDS's import fails on an empty file); a part the
  // manifest does not list holds rows the source did not unload. The proof expects no ledger row for either.
  if (part.bytes === 0 || part.rows === 0 || part.inManifest === false) return { rows: 0, bytes: part.bytes, skipped: 1, alreadyLoaded: false, durationMs: 0 };
  const recorded = ledgerPart(part.key, epoch);
  try {
    return await inTransaction(client, async (tx) => {
      const done = await readLedgerRow(tx, schema, load.runId, recorded);
      if (done) return { rows: done.rows, bytes: part.bytes, etag: done.etag, alreadyLoaded: true, durationMs: Date.now() - started };
      const imported =
        load.loadMethod === 'aws_s3'
          ? await importWithAwsS3(client, deps, connection, load, part)
          : await importWithCopy(client, deps, load, part, signal, progress);
      await run(tx, insertLedgerRow(schema, { runId: load.runId, part: recorded, target: load.table, etag: imported.etag, rows: imported.rows }));
      log.info('part loaded', { part: part.name, method: load.loadMethod, rows: imported.rows, bytes: imported.bytes });
      return {
        rows: imported.rows,
        bytes: imported.bytes,
        etag: imported.etag,
        ...(imported.markedEtag !== undefined && { markedEtag: imported.markedEtag }),
        alreadyLoaded: false,
        durationMs: Date.now() - started,
      };
    });
  } catch (err) {
    // Rolled back: the session is free to look up what the refused value was.
    throw await describeImportError(err, { session: client, s3: deps.s3, load, part, signal });
  }
}

/** For heartbeats until the part is read from the registry. */
function describeInput(input: LoadPartInput): string {
  if ('registered' in input) return input.registered.name ?? `part ${input.registered.ordinal} of attempt ${input.registered.attempt}`;
  return `parts ${input.registeredRun.from}–${input.registeredRun.to - 1} of attempt ${input.registeredRun.attempt}`;
}

/** A part given by its place in the registry, as the unload registered it. */
async function registeredPart(session: Session, load: ResolvedLoad, at: RegisteredPart): Promise<RegisteredPartRow> {
  const part = await readRegisteredPart(session, load.staging.schema, load.runId, at.attempt, at.ordinal);
  if (!part) throw registeredPartGone(load, at);
  return part;
}

/** The load's columns: as given, or as prepare recorded them for the run. */
export async function withColumns(session: Session, load: LoadTarget): Promise<ResolvedLoad> {
  if (load.columns) return { ...load, columns: load.columns };
  const columns = await readRunColumns(session, load.staging.schema, load.table, load.runId);
  if (!columns) throw runColumnsGone(load);
  return { ...load, columns };
}
