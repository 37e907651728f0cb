import { loadSlots, selectSlotsHeld, trySlot, unloadSlots, LOAD_SLOT_KEY, UNLOAD_SLOT_KEY } from './slots';

describe('slots', () => {
  it('are advisory locks: load slots 0…n-1, a source’s UNLOAD slots in its own block of 256', () => {
    expect(trySlot(loadSlots(4), 3)).toEqual({ text: 'SELECT pg_try_advisory_lock($1, $2) AS taken', values: [LOAD_SLOT_KEY, 3] });
    const a = unloadSlots('cluster-a.example:5439/dev', 4);
    const b = unloadSlots('cluster-b.example:5439/dev', 4);
    expect(a.key).toBe(UNLOAD_SLOT_KEY);
    expect(a.base % 256).toBe(0);
    expect(a.base).not.toBe(b.base);
    expect(unloadSlots('cluster-a.example:5439/dev', 2).base).toBe(a.base);
    expect(a.base + 255).toBeLessThan(2 ** 31);
    expect(unloadSlots('x', 1000).count).toBe(256);
    expect(selectSlotsHeld(a).values).toEqual([UNLOAD_SLOT_KEY, a.base, a.base + 4]);
  });
});
