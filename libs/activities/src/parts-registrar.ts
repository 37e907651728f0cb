import { log } from '@temporalio/activity';
import { postgresConnection } from '@ferry/config';
import type { ListedPart, NamedPart, Part, UnloadInput } from '@ferry/contract';
import {
  confirmParts,
  markNotInManifest,
  registerListedParts,
  registerManifestParts,
  selectAttemptParts,
  type ManifestPartRow,
  type Registry,
} from '@ferry/postgres';
import { run } from '@ferry/sql';
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
  /** The parts the workflow loads itself, by ordinal: named in its signals, so its summaries can name them. */
  const named: NamedPart[] = [];
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
      await signal(count, named.slice(signalled, count));
      signalled = count;
      signalledAt = Date.now();
    } catch (err) {
      // The registry has the parts; the next tick, or the unload's result, tells the workflow.
      log.warn('telling the workflow about registered parts failed; retrying', { error: (err as Error).message });
    }
  };
  const inChunks = async <T>(rows: T[], statementFor: (chunk: T[], offset: number) => Parameters<typeof run>[1]) => {
    if (rows.length === 0) return;
    await deps.sessions.use(connection, 'ferry register parts', async (client) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await run(client, statementFor(rows.slice(i, i + ROWS_PER_STATEMENT), i));
    });
  };

  return {
    async resume() {
      const rows = await deps.sessions.use(
        connection,
        'ferry register parts',
        async (client) => (await run<AttemptPartRow>(client, selectAttemptParts(schema, registry))).rows,
      );
      for (const row of rows) {
        ordinals.set(row.key, row.ordinal);
        if (row.ordinal < signalEvery) named.push({ ordinal: row.ordinal, name: row.name, bytes: Number(row.bytes) });
      }
      registered = rows.length;
    },
    async listed(listed) {
      const parts = listed.filter((p) => !ordinals.has(p.key));
      // Numbered from the count committed: a failed statement is tried again with the same numbers.
      await inChunks(parts, (chunk, offset) => registerListedParts(schema, registry, registered + offset, chunk));
      parts.forEach((p, i) => {
        ordinals.set(p.key, registered + i);
        if (registered + i < signalEvery) named.push({ ordinal: registered + i, name: p.name, bytes: p.bytes });
      });
      registered += parts.length;
      await signalIfDue();
    },
    retrySignal: signalIfDue,
    async manifest(parts) {
      // In batches as the manifest is read: a table of 300,000 parts never has them all in memory.
      const first: NamedPart[] = [];
      let batch: ManifestPartRow[] = [];
      const flush = async () => {
        const known = batch.filter((p) => ordinals.has(p.key));
        const unseen = batch.filter((p) => !ordinals.has(p.key));
        await inChunks(known, (chunk) => confirmParts(schema, registry, chunk));
        await inChunks(unseen, (chunk, offset) => registerManifestParts(schema, registry, registered + offset, chunk));
        unseen.forEach((p, i) => ordinals.set(p.key, registered + i));
        registered += unseen.length;
        for (const p of batch) {
          const ordinal = ordinals.get(p.key)!;
          if (ordinal < signalEvery) first.push({ ordinal, name: p.name, bytes: p.bytes, rows: p.rows });
        }
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
