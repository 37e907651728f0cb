import type { LoadPartResult, Part, PartToLoad } from '@ferry/contract';
import { overlappedLoads } from './overlapped-loads';

/** A load the test finishes by hand, so the order of events is exact rather than timed. */
interface PendingLoad {
  part: PartToLoad;
  epoch: number;
  finish(result?: Partial<LoadPartResult>): void;
}

const tick = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

const part = (n: number, attempt = 1, bytes = 100): Part => ({
  key: `run/attempt-${attempt}/000${n}_part_00`,
  name: `000${n}_part_00`,
  bytes,
  rows: 10,
  etag: `e${attempt}-${n}`,
});
const listed = (p: Part) => ({ key: p.key, name: p.name, bytes: p.bytes, etag: p.etag! });

function harness(lanes = 2) {
  const pending: PendingLoad[] = [];
  const events: string[] = [];
  const loads = overlappedLoads({
    lanes,
    load: (p, epoch) =>
      new Promise<LoadPartResult>((resolve) => {
        events.push(`load ${p.name}@${epoch}`);
        pending.push({
          part: p,
          epoch,
          finish: (r = {}) =>
            resolve({
              rows: 10,
              bytes: p.bytes,
              etag: `e${/attempt-(\d+)/.exec(p.key)![1]}-${Number(p.name.slice(0, 4))}`,
              alreadyLoaded: false,
              durationMs: 1,
              ...r,
            }),
        });
      }),
    reset: async (reason) => {
      events.push(`reset: ${reason}`);
    },
  });
  /** Finishes every load started so far, until none is left. */
  const finishAll = async () => {
    while (pending.length > 0) {
      pending.shift()!.finish();
      await tick();
    }
  };
  return { loads, pending, events, finishAll };
}

describe('overlappedLoads', () => {
  it("loads signalled parts while the UNLOAD runs, then the manifest's others, and proves them", async () => {
    const h = harness(2);
    const manifest = [part(1), part(2), part(3)];
    h.loads.unloaded(1, [listed(manifest[0])]);
    expect(h.events).toEqual(['load 0001_part_00@0']);
    const done = h.loads.finish({ attempt: 1, parts: manifest, rows: 30, bytes: 300, durationMs: 1 });
    await tick();
    await h.finishAll();
    expect((await done).map((p) => p.name).sort()).toEqual(['0001_part_00', '0002_part_00', '0003_part_00']);
    expect(h.events.filter((e) => e.startsWith('reset'))).toEqual([]);
  });

  it('skips empty parts, and a part signalled twice loads once', async () => {
    const h = harness(2);
    const empty = { ...part(2), bytes: 0, rows: 0 };
    h.loads.unloaded(1, [listed(part(1)), listed(empty)]);
    h.loads.unloaded(1, [listed(part(1))]);
    const done = h.loads.finish({ attempt: 1, parts: [part(1), empty], rows: 10, bytes: 100, durationMs: 1 });
    await h.finishAll();
    expect((await done).map((p) => p.name)).toEqual(['0001_part_00']);
    expect(h.events).toEqual(['load 0001_part_00@0']);
  });

  it("a newer attempt supersedes: loads in flight finish, staging is reset once, only the new attempt's parts count", async () => {
    const h = harness(2);
    h.loads.unloaded(1, [listed(part(1, 1)), listed(part(2, 1)), listed(part(3, 1))]);
    expect(h.events).toEqual(['load 0001_part_00@0', 'load 0002_part_00@0']);
    // Attempt 2 appears while attempt 1's loads run: 0003 of attempt 1 never starts.
    h.loads.unloaded(2, [listed(part(1, 2))]);
    // A late signal of attempt 1 is ignored.
    h.loads.unloaded(1, [listed(part(4, 1))]);
    await h.finishAll();
    expect(h.events).toEqual([
      'load 0001_part_00@0',
      'load 0002_part_00@0',
      'reset: unload attempt 2 supersedes the parts of attempt 1',
      'load 0001_part_00@1',
    ]);
    const manifest = [part(1, 2), part(2, 2)];
    const done = h.loads.finish({ attempt: 2, parts: manifest, rows: 20, bytes: 200, durationMs: 1 });
    await tick();
    await h.finishAll();
    const loaded = await done;
    expect(loaded.map((p) => p.key).sort()).toEqual(manifest.map((p) => p.key));
    expect(h.events.slice(4)).toEqual(['load 0002_part_00@1']);
  });

  it('a zombie load of a superseded attempt that commits late is not counted', async () => {
    const h = harness(1);
    h.loads.unloaded(1, [listed(part(1, 1))]);
    const zombie = h.pending.shift()!;
    h.loads.unloaded(2, [listed(part(1, 2))]);
    // The reset waits for the load in flight; once it ends, the new attempt's part loads after the reset.
    zombie.finish();
    await tick();
    expect(h.events).toEqual(['load 0001_part_00@0', 'reset: unload attempt 2 supersedes the parts of attempt 1', 'load 0001_part_00@1']);
    const done = h.loads.finish({ attempt: 2, parts: [part(1, 2)], rows: 10, bytes: 100, durationMs: 1 });
    await h.finishAll();
    expect((await done).map((p) => p.key)).toEqual([part(1, 2).key]);
    // Had the zombie counted, the manifest proof would have reset staging a second time.
    expect(h.events).toHaveLength(3);
  });

  it("a loaded part the manifest does not confirm: reset, then exactly the manifest's parts are loaded again", async () => {
    const h = harness(2);
    h.loads.unloaded(1, [listed(part(1))]);
    const first = h.pending.shift()!;
    // The object the load read is not the one the manifest lists (another ETag).
    first.finish({ etag: 'stale' });
    await tick();
    const done = h.loads.finish({ attempt: 1, parts: [part(1), part(2)], rows: 20, bytes: 200, durationMs: 1 });
    await h.finishAll();
    const loaded = await done;
    expect(loaded.map((p) => `${p.name} ${p.etag}`).sort()).toEqual(['0001_part_00 e1-1', '0002_part_00 e1-2']);
    expect(h.events).toEqual([
      'load 0001_part_00@0',
      'load 0002_part_00@0',
      'reset: the loaded parts disagree with the manifest: 0001_part_00: loaded ETag stale, listed after the UNLOAD as e1-1',
      'load 0001_part_00@1',
      'load 0002_part_00@1',
    ]);
  });

  it("if the manifest's own parts disagree again, it fails VerificationFailed without publishing", async () => {
    const h = harness(2);
    const done = h.loads.finish({ attempt: 1, parts: [part(1)], rows: 10, bytes: 100, durationMs: 1 });
    const failure = done.catch((e: Error & { type?: string; nonRetryable?: boolean }) => e);
    while (h.pending.length > 0 || h.events.length < 3) {
      h.pending.shift()?.finish({ rows: 9 });
      await tick();
    }
    const err = (await failure) as Error & { type?: string; nonRetryable?: boolean };
    expect(err.type).toBe('VerificationFailed');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toMatch(
      /^the parts loaded into staging disagree with the UNLOAD manifest even after loading exactly its parts again: 0001_part_00: loaded 9 rows, the manifest says 10/,
    );
  });

  it("a signal after the unload's result is ignored", async () => {
    const h = harness(2);
    const done = h.loads.finish({ attempt: 1, parts: [part(1)], rows: 10, bytes: 100, durationMs: 1 });
    h.loads.unloaded(1, [listed(part(2))]);
    await h.finishAll();
    expect((await done).map((p) => p.name)).toEqual(['0001_part_00']);
    expect(h.events).toEqual(['load 0001_part_00@0']);
  });
});
