import { run, statement, type Session, type Statement } from '@ferry/sql';

// One cap on concurrent loads per target database, whatever the number of workers: a load
// runs while its own session holds one of `maxConcurrentLoads` slots, each a session-level
// advisory lock (PostgreSQL: "Functions for advisory locks"). The lock space is the
// database's, so every worker and every run counts against the same slots, and a slot is
// freed by PostgreSQL itself when its session ends — a worker killed mid-COPY gives its slot
// back as soon as the server sees the connection close.

/** The advisory lock key's first half that marks ferry's load slots ("frry"); the second is the slot. */
export const LOAD_SLOT_KEY = 0x66727279;

export const tryLoadSlot = (slot: number): Statement => statement(`SELECT pg_try_advisory_lock($1, $2) AS taken`, [LOAD_SLOT_KEY, slot]);

export const releaseLoadSlot = (slot: number): Statement => statement(`SELECT pg_advisory_unlock($1, $2) AS released`, [LOAD_SLOT_KEY, slot]);

/** Slots held in this database now, by any session. */
export const selectLoadSlotsHeld = (): Statement =>
  statement(
    `SELECT count(*)::int AS held FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objsubid = 2
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LOAD_SLOT_KEY],
  );

/** Takes the first free slot of `slots` for this session: its number, or undefined when all are held. */
export async function takeLoadSlot(session: Session, slots: number): Promise<number | undefined> {
  for (let slot = 0; slot < slots; slot++) {
    const { rows } = await run<{ taken: boolean }>(session, tryLoadSlot(slot));
    if (rows[0].taken) return slot;
  }
  return undefined;
}

export async function giveBackLoadSlot(session: Session, slot: number): Promise<void> {
  await run(session, releaseLoadSlot(slot));
}

export async function loadSlotsHeld(session: Session): Promise<number> {
  return (await run<{ held: number }>(session, selectLoadSlotsHeld())).rows[0].held;
}
