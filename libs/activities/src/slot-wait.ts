import { Context } from '@temporalio/activity';
import type pg from 'pg';
import { connectionWhere, postgresConnection, redshiftConnection, type Named, type PostgresConnection } from '@ferry/config';
import type { TransferPlan } from '@ferry/contract';
import { giveBackSlot, loadSlots, slotsHeld, takeSlot, unloadSlots, type Slots } from '@ferry/postgres';
import type { ActivityDeps } from './deps';

/** Told each time a step finds every slot held: how many are held (by any session) of how many. */
export type SlotWait = (held: number, slots: number) => void;

/** A waiting load's own words, for its heartbeat details and log. */
export const slotWaitMessage = (connection: Named<PostgresConnection>, held: number, slots: number) =>
  `waiting for a load slot on ${connection.name ?? connection.database}: ${held} of ${slots} held (maxConcurrentLoads, over every worker)`;

/** A waiting UNLOAD's own words, for its heartbeat phase. */
export const unloadSlotWaitMessage = (source: string, held: number, slots: number) =>
  `waiting for an UNLOAD slot on ${source}: ${held} of ${slots} held (maxConcurrentUnloads, over every worker)`;

const FIRST_WAIT_MS = 200;
const LONGEST_WAIT_MS = 5_000;

/**
 * Runs `load` on a target session that holds one of the database's `maxConcurrentLoads`
 * slots (@ferry/postgres slots.ts), waiting while every slot is held — by any worker.
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
  const slots = loadSlots(connection.maxConcurrentLoads);
  for (let attempt = 0; ; attempt++) {
    const outcome = await deps.sessions.use(
      connection,
      applicationName,
      async (client): Promise<{ done: T } | { held: number }> => {
        const slot = await takeSlot(client, slots);
        if (slot === undefined) return { held: await slotsHeld(client, slots) };
        return { done: await holding(client, slots, slot, () => load(client)) };
      },
      signal,
    );
    if ('done' in outcome) return outcome.done;
    waiting(outcome.held, slots.count);
    await Context.current().sleep(backoff(attempt));
  }
}

/**
 * Runs the plan's UNLOAD (`work`) while one of its source's `maxConcurrentUnloads` slots is
 * held. Redshift has no advisory locks: the slot is held by a session of the run's target
 * database, the one place every worker of these runs reaches, for as long as the UNLOAD runs.
 */
export async function inUnloadSlot<T>(deps: ActivityDeps, plan: TransferPlan, signal: AbortSignal, waiting: SlotWait, work: () => Promise<T>): Promise<T> {
  const source = redshiftConnection(deps.config, plan.source.connection);
  const slots = unloadSlots(connectionWhere(source), source.maxConcurrentUnloads);
  return deps.sessions.use(
    postgresConnection(deps.config, plan.target.connection),
    'ferry unload slot',
    (client) => inSlotOf(client, slots, waiting, work),
    signal,
  );
}

/** Runs `work` while `client` (a session the caller holds) holds one of `slots`, waiting for one as long as it takes. */
export async function inSlotOf<T>(client: pg.PoolClient, slots: Slots, waiting: SlotWait, work: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const slot = await takeSlot(client, slots);
    if (slot !== undefined) return holding(client, slots, slot, work);
    waiting(await slotsHeld(client, slots), slots.count);
    await Context.current().sleep(backoff(attempt));
  }
}

async function holding<T>(client: pg.PoolClient, slots: Slots, slot: number, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (err) {
    // The step's own error says what went wrong; a session that cannot give the slot back is discarded with it.
    await giveBackSlot(client, slots, slot).catch(() => undefined);
    throw err;
  }
  await giveBackSlot(client, slots, slot);
  return result;
}

/** Doubling from 200 ms to 5 s, with jitter so that waiting steps do not all retry at once. */
function backoff(attempt: number): number {
  const ms = Math.min(FIRST_WAIT_MS * 2 ** attempt, LONGEST_WAIT_MS);
  return ms / 2 + Math.random() * (ms / 2);
}
