import { inLanes } from './lanes';

describe('inLanes', () => {
  it('never runs more than the lane count at once and keeps result order', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await inLanes([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('starts nothing new after a failure and rethrows the first error', async () => {
    const started: number[] = [];
    await expect(
      inLanes([1, 2, 3, 4], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });

  it('handles no items', async () => {
    expect(await inLanes([], 4, async () => 1)).toEqual([]);
  });
});
