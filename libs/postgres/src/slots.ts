import { run, statement, type Session, type Statement } from '@ferry/sql';

// Caps that hold over every worker: a step runs while a session of the target database holds
// one of its slots, each a session-level advisory lock (PostgreSQL: "Functions for advisory
// locks"). The lock space is the database's, so every worker and every run counts against
// the same slots, and PostgreSQL itself frees a slot when its session ends — a worker killed
// mid-COPY or mid-UNLOAD gives its slot back as soon as the server sees the connection close.

/** The advisory lock key's first half marking ferry's load slots ("frry"); the second is the slot. */
export const LOAD_SLOT_KEY = 0x66727279;
/** The same for UNLOAD slots ("frru"); the second half is 256 × the source's number + the slot. */
export const UNLOAD_SLOT_KEY = 0x66727275;

/** A set of slots: `count` consecutive second halves from `base` under `key`. */
export interface Slots {
  key: number;
  base: number;
  count: number;
}

/** The target database's part loads (COPY or aws_s3 import sessions). */
export const loadSlots = (count: number): Slots => ({ key: LOAD_SLOT_KEY, base: 0, count });

/**
 * The UNLOADs on one source (`host:port/database`), held in the target database: runs into
 * other target databases count separately. At most 256 per source.
 */
export const unloadSlots = (source: string, count: number): Slots => ({ key: UNLOAD_SLOT_KEY, base: sourceNumber(source) * 256, count: Math.min(count, 256) });

/** FNV-1a of the source's address, 15 bits: base × 256 stays within a signed 32-bit key. */
function sourceNumber(source: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(source, 'utf8')) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h & 0x7fff;
}

export const trySlot = (slots: Slots, slot: number): Statement => statement(`SELECT pg_try_advisory_lock($1, $2) AS taken`, [slots.key, slots.base + slot]);

export const releaseSlot = (slots: Slots, slot: number): Statement =>
  statement(`SELECT pg_advisory_unlock($1, $2) AS released`, [slots.key, slots.base + slot]);

/** Slots of the set held in this database now, by any session. */
export const selectSlotsHeld = (slots: Slots): Statement =>
  statement(
    `SELECT count(*)::int AS held FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid >= $2::oid AND objid < $3::oid AND objsubid = 2
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [slots.key, slots.base, slots.base + slots.count],
  );

/** Takes the first free slot of the set for this session: its number, or undefined when all are held. */
export async function takeSlot(session: Session, slots: Slots): Promise<number | undefined> {
  for (let slot = 0; slot < slots.count; slot++) {
    const { rows } = await run<{ taken: boolean }>(session, trySlot(slots, slot));
    if (rows[0].taken) return slot;
  }
  return undefined;
}

export async function giveBackSlot(session: Session, slots: Slots, slot: number): Promise<void> {
  await run(session, releaseSlot(slots, slot));
}

export async function slotsHeld(session: Session, slots: Slots): Promise<number> {
  return (await run<{ held: number }>(session, selectSlotsHeld(slots))).rows[0].held;
}
