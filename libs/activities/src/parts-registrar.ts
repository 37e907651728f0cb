import { log } from '@temporalio/activity';
import { postgresConnection } from '@ferry/config';
import type { ListedPart, NamedPart, Part, UnloadInput } from '@ferry/contract';
import {
  confirmParts,
  lockAttemptParts,
  markNotInManifest,
  registerListedParts,
  registerManifestParts,
  selectAttemptParts,
  type ManifestPartRow,
  type Registry,
} from '@ferry/postgres';
import { inTransaction, run, type Statement } from '@ferry/sql';
import type { ActivityDeps } from './deps';

interface AttemptPartRow {
  ordinal: number;
  key: string;
  name: string;
  bytes: string;
}

/** Rows per registry statement: a manifest of 100,000 parts is not one statement. */
const ROWS_PER_STATEMENT = 5_000;

/** Between the first signals, while the workflow loads parts itself: enough to batch a burst of parts. */
const FIRST_SIGNALS_GAP_MS = 5_000;

/** After them (the workflow waits for whole ranges), a signal at least this often keeps it current. */
const LATER_SIGNALS_GAP_MS = 300_000;

export interface PartsRegistrar {
  /**
   * Starts from the parts this attempt registered before (a worker that died while its Data API
   * UNLOAD ran on): they keep their numbers, and listing them again registers nothing.
   */
  resume(): Promise<void>;
  /** Registers parts listed while the UNLOAD runs, then tells the workflow if a signal is due. */
  listed(parts: ListedPart[]): Promise<void>;
  /** Sends a signal that is due but failed before. */
  retrySignal(): Promise<void>;
  /** Confirms the registered parts with the manifest's word and registers its others: how many parts the attempt has, and the first ones by name. */
  manifest(parts: AsyncIterable<Part>): Promise<{ registered: number; named: NamedPart[] }>;
}

/**
 * The unload's side of the parts registry (@ferry/postgres parts-registry.ts): each part its
 * watch lists is numbered in the order seen and registered on the target before the workflow
 * hears of it, so a load scheduled by number always finds its part. Signals carry only the
 * count, and are spaced so that a long UNLOAD of many parts adds few events to the history:
 * at most one per few seconds until `signalEvery` parts (the ones the workflow loads itself),
 * then one per `signalEvery` more (a child workflow's range) or per few minutes.
 */
export function partsRegistrar(
  deps: ActivityDeps,
  plan: UnloadInput,
  attempt: number,
  signal: (registered: number, named: NamedPart[]) => Promise<void>,
): PartsRegistrar {
  const connection = postgresConnection(deps.config, plan.target.connection);
  const schema = plan.target.staging.schema;
  const registry: Registry = { runId: plan.runId, attempt, target: plan.target.table };
  const { signalEvery } = plan.partsRegistry;
  const ordinals = new Map<string, number>();
  /** The parts the workflow loads itself, at their ordinals: named in its signals, so its summaries can name them. */
  const named: NamedPart[] = [];
  /** How many parts the attempt has in the registry, as last read. */
  let registered = 0;
  let signalled = 0;
  let signalledAt = 0;

  const due = () => {
    if (registered === signalled) return false;
    if (signalled === 0) return true;
    const since = Date.now() - signalledAt;
    if (signalled < signalEvery) return since >= FIRST_SIGNALS_GAP_MS;
    return registered - signalled >= signalEvery || since >= LATER_SIGNALS_GAP_MS;
  };
  const signalIfDue = async () => {
    if (!due()) return;
    const count = registered;
    try {
      await signal(
        count,
        named.slice(signalled, count).filter((p) => p !== undefined),
      );
      signalled = count;
      signalledAt = Date.now();
    } catch (err) {
      // The registry has the parts; the next tick, or the unload's result, tells the workflow.
      log.warn('telling the workflow about registered parts failed; retrying', { error: (err as Error).message });
    }
  };
  const learn = (rows: AttemptPartRow[]) => {
    for (const row of rows) {
      ordinals.set(row.key, row.ordinal);
      if (row.ordinal < signalEvery) named[row.ordinal] ??= { ordinal: row.ordinal, name: row.name, bytes: Number(row.bytes) };
      registered = Math.max(registered, row.ordinal + 1);
    }
  };
  /**
   * Registers in chunks, each in a transaction that numbers its parts after every part the
   * attempt has (lockAttemptParts), then reads back their numbers and any others registered
   * since: the numbers are the registry's, never this process's guess.
   */
  const register = async <T extends { key: string }>(rows: T[], statementsFor: (chunk: T[]) => Statement[]) => {
    if (rows.length === 0) return;
    await deps.sessions.use(connection, 'ferry register parts', async (client) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
        const numbered = await inTransaction(client, async (tx) => {
          await run(tx, lockAttemptParts(registry));
          for (const s of statementsFor(chunk)) await run(tx, s);
          return (await run<AttemptPartRow>(tx, selectAttemptParts(schema, registry, { from: registered, keys: chunk.map((p) => p.key) }))).rows;
        });
        learn(numbered);
      }
    });
  };

  return {
    async resume() {
      learn(
        await deps.sessions.use(
          connection,
          'ferry register parts',
          async (client) => (await run<AttemptPartRow>(client, selectAttemptParts(schema, registry))).rows,
        ),
      );
    },
    async listed(listed) {
      await register(
        listed.filter((p) => !ordinals.has(p.key)),
        (chunk) => [registerListedParts(schema, registry, chunk)],
      );
      await signalIfDue();
    },
    retrySignal: signalIfDue,
    async manifest(parts) {
      // In batches as the manifest is read: a table of 300,000 parts never has them all in memory.
      const first: NamedPart[] = [];
      let batch: ManifestPartRow[] = [];
      const flush = async () => {
        await register(batch, (chunk) => [registerManifestParts(schema, registry, chunk), confirmParts(schema, registry, chunk)]);
        for (const p of batch) {
          const ordinal = ordinals.get(p.key)!;
          if (ordinal < signalEvery) first.push({ ordinal, name: p.name, bytes: p.bytes, rows: p.rows });
        }
        // Only the first parts' numbers are needed again (above); the rest would grow with the manifest.
        for (const p of batch) if (ordinals.get(p.key)! >= signalEvery) ordinals.delete(p.key);
        batch = [];
      };
      for await (const p of parts) {
        batch.push({ key: p.key, name: p.name, bytes: p.bytes, rows: p.rows, etag: p.etag ?? '' });
        if (batch.length >= ROWS_PER_STATEMENT) await flush();
      }
      await flush();
      await deps.sessions.use(connection, 'ferry register parts', (client) => run(client, markNotInManifest(schema, registry)));
      return { registered, named: first.sort((a, b) => a.ordinal - b.ordinal) };
    },
  };
}
