import { laneQueue } from './lanes-queue';

/** A task the test finishes by hand, so the order of events is exact rather than timed. */
function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('laneQueue', () => {
  it('starts pushed items as lanes free up, in push order, never more than the lane count', async () => {
    const gates = new Map<number, ReturnType<typeof gate>>();
    const started: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const q = laneQueue<number>(2, async (n) => {
      started.push(n);
      peak = Math.max(peak, ++inFlight);
      const g = gate();
      gates.set(n, g);
      await g.done;
      inFlight--;
    });
    q.push(1);
    q.push(2);
    q.push(3);
    expect(started).toEqual([1, 2]);
    gates.get(2)!.open();
    await tick();
    expect(started).toEqual([1, 2, 3]);
    q.push(4);
    expect(started).toEqual([1, 2, 3]);
    const drained = q.drained();
    gates.get(1)!.open();
    await tick();
    expect(started).toEqual([1, 2, 3, 4]);
    gates.get(3)!.open();
    gates.get(4)!.open();
    await drained;
    expect(peak).toBe(2);
    expect(q.inFlight).toBe(0);
  });

  it('runs an exclusive step only once nothing is in flight, and starts nothing until it finished', async () => {
    const events: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const q = laneQueue<string>(2, async (name) => {
      events.push(`start ${name}`);
      const g = gate();
      gates.set(name, g);
      await g.done;
      events.push(`end ${name}`);
    });
    q.push('a');
    const step = gate();
    q.exclusive(async () => {
      events.push('step');
      await step.done;
      events.push('step done');
    });
    q.push('b');
    expect(events).toEqual(['start a']);
    gates.get('a')!.open();
    await tick();
    expect(events).toEqual(['start a', 'end a', 'step']);
    step.open();
    await tick();
    expect(events).toEqual(['start a', 'end a', 'step', 'step done', 'start b']);
    gates.get('b')!.open();
    await q.drained();
  });

  it('after a failure starts nothing new, lets the running item finish, then rejects with the first error', async () => {
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const q = laneQueue<string>(2, async (name) => {
      started.push(name);
      const g = gate();
      gates.set(name, g);
      await g.done;
    });
    q.push('a');
    q.push('b');
    q.push('c');
    let outcome = 'pending';
    q.drained().then(
      () => (outcome = 'resolved'),
      (err: Error) => (outcome = `rejected: ${err.message}`),
    );
    gates.get('a')!.fail(new Error('boom'));
    await tick();
    expect(started).toEqual(['a', 'b']);
    expect(outcome).toBe('pending'); // b is still running
    q.push('d');
    q.exclusive(async () => {
      started.push('step');
    });
    gates.get('b')!.fail(new Error('second'));
    await tick();
    expect(outcome).toBe('rejected: boom');
    expect(started).toEqual(['a', 'b']);
    expect(q.failed).toBe(true);
  });

  it('treats a failing exclusive step as a failure', async () => {
    const q = laneQueue<number>(1, async () => undefined);
    q.exclusive(async () => {
      throw new Error('reset failed');
    });
    q.push(1);
    await expect(q.drained()).rejects.toThrow('reset failed');
  });

  it('drops queued items that have not started', async () => {
    const started: number[] = [];
    const first = gate();
    const q = laneQueue<number>(1, async (n) => {
      started.push(n);
      if (n === 1) await first.done;
    });
    q.push(1);
    q.push(2);
    q.push(3);
    q.dropQueued();
    q.push(4);
    first.open();
    await q.drained();
    expect(started).toEqual([1, 4]);
  });

  it('is drained at once with nothing to do, and quiet() waits only for what runs', async () => {
    const q = laneQueue<number>(3, async () => undefined);
    await q.drained();
    const g = gate();
    const failing = laneQueue<number>(1, async () => g.done);
    failing.push(1);
    let quiet = false;
    void failing.quiet().then(() => (quiet = true));
    await tick();
    expect(quiet).toBe(false);
    g.fail(new Error('x'));
    await tick();
    expect(quiet).toBe(true);
    await expect(failing.drained()).rejects.toThrow('x');
  });
});
