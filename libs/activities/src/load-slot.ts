import { Context } from '@temporalio/activity';
import type pg from 'pg';
import type { Named, PostgresConnection } from '@ferry/config';
import { giveBackLoadSlot, loadSlotsHeld, takeLoadSlot } from '@ferry/postgres';
import type { ActivityDeps } from './deps';

/** Told each time a load finds every slot held: how many are held (by any session) of how many. */
export type SlotWait = (held: number, slots: number) => void;

/** A waiting load's own words, for its heartbeat details and log. */
export const slotWaitMessage = (connection: Named<PostgresConnection>, held: number, slots: number) =>
  `waiting for a load slot on ${connection.name ?? connection.database}: ${held} of ${slots} held (maxConcurrentLoads, over every worker)`;

const FIRST_WAIT_MS = 200;
const LONGEST_WAIT_MS = 5_000;

/**
 * Runs `load` on a target session that holds one of the database's `maxConcurrentLoads`
 * slots (@ferry/postgres load-slots.ts), waiting while every slot is held — by any worker.
 * Between tries the session goes back to the pool, so a waiting load holds no connection.
 */
export async function inLoadSlot<T>(
  deps: ActivityDeps,
  connection: Named<PostgresConnection>,
  applicationName: string,
  signal: AbortSignal,
  waiting: SlotWait,
  load: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const outcome = await deps.sessions.use(
      connection,
      applicationName,
      async (client): Promise<{ done: T } | { held: number }> => {
        const slot = await takeLoadSlot(client, connection.maxConcurrentLoads);
        if (slot === undefined) return { held: await loadSlotsHeld(client) };
        return { done: await holding(client, slot, () => load(client)) };
      },
      signal,
    );
    if ('done' in outcome) return outcome.done;
    waiting(outcome.held, connection.maxConcurrentLoads);
    await Context.current().sleep(backoff(attempt));
  }
}

/** As inLoadSlot, on a session the caller holds (finalize's, which also publishes): it waits holding it. */
export async function inLoadSlotOf<T>(client: pg.PoolClient, connection: Named<PostgresConnection>, waiting: SlotWait, load: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const slot = await takeLoadSlot(client, connection.maxConcurrentLoads);
    if (slot !== undefined) return holding(client, slot, load);
    waiting(await loadSlotsHeld(client), connection.maxConcurrentLoads);
    await Context.current().sleep(backoff(attempt));
  }
}

async function holding<T>(client: pg.PoolClient, slot: number, load: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await load();
  } catch (err) {
    // The load's own error says what went wrong; a session that cannot give the slot back is discarded with it.
    await giveBackLoadSlot(client, slot).catch(() => undefined);
    throw err;
  }
  await giveBackLoadSlot(client, slot);
  return result;
}

/** Doubling from 200 ms to 5 s, with jitter so that waiting loads do not all retry at once. */
function backoff(attempt: number): number {
  const ms = Math.min(FIRST_WAIT_MS * 2 ** attempt, LONGEST_WAIT_MS);
  return ms / 2 + Math.random() * (ms / 2);
}
