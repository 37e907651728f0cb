/**
 * Lanes over items that arrive while earlier ones run (parts signalled during the UNLOAD):
 * at most `lanes` items in flight, each started as soon as a lane is free, in push order.
 * Starting is driven by pushes and completions, not by `condition()`, so one free slot
 * starts exactly one item (see lanes.ts for why a condition per item would not do).
 *
 * The rule of inLanes stands: after the first failure no new item starts, the ones in
 * flight finish, and `drained()` rejects with that failure. `exclusive(step)` runs a step
 * once nothing is in flight and starts no item until it has finished (resetting staging
 * between attempts); a failing step is a failure like any other.
 */
export interface LaneQueue<T> {
  push(item: T): void;
  /** Forgets the queued items that have not started (the parts of a superseded attempt). */
  dropQueued(): void;
  /** Queues `step` to run alone; items pushed meanwhile wait for it. */
  exclusive(step: () => Promise<void>): void;
  /** Resolves once nothing is queued, running or waiting to run alone; rejects with the first failure once nothing runs. */
  drained(): Promise<void>;
  /** Resolves once nothing runs, whatever the outcome (before cleanup after a cancellation or failure). */
  quiet(): Promise<void>;
  readonly inFlight: number;
  readonly failed: boolean;
}

export function laneQueue<T>(lanes: number, work: (item: T) => Promise<void>): LaneQueue<T> {
  const queue: T[] = [];
  const steps: (() => Promise<void>)[] = [];
  let running = 0;
  let stepRunning = false;
  let failed = false;
  let firstError: unknown;
  let waiters: { drainedOnly: boolean; resolve: () => void; reject: (err: unknown) => void }[] = [];

  const fail = (err: unknown) => {
    if (!failed) firstError = err;
    failed = true;
  };
  const settle = () => {
    if (running > 0 || stepRunning) return;
    const drained = failed || (queue.length === 0 && steps.length === 0);
    const keep: typeof waiters = [];
    for (const w of waiters) {
      if (!w.drainedOnly) w.resolve();
      else if (!drained) keep.push(w);
      else if (failed) w.reject(firstError);
      else w.resolve();
    }
    waiters = keep;
  };
  const finished = () => {
    pump();
    settle();
  };
  const pump = () => {
    if (stepRunning) return;
    if (failed) {
      // Nothing new starts after a failure, steps included.
      queue.length = 0;
      steps.length = 0;
      return;
    }
    if (steps.length > 0) {
      if (running > 0) return;
      const step = steps.shift()!;
      stepRunning = true;
      step()
        .catch(fail)
        .finally(() => {
          stepRunning = false;
          finished();
        });
      return;
    }
    while (running < lanes && queue.length > 0) {
      const item = queue.shift()!;
      running++;
      work(item)
        .catch(fail)
        .finally(() => {
          running--;
          finished();
        });
    }
  };

  return {
    push(item) {
      queue.push(item);
      pump();
    },
    dropQueued() {
      queue.length = 0;
      settle();
    },
    exclusive(step) {
      steps.push(step);
      pump();
    },
    drained() {
      return new Promise<void>((resolve, reject) => {
        waiters.push({ drainedOnly: true, resolve, reject });
        settle();
      });
    },
    quiet() {
      return new Promise<void>((resolve, reject) => {
        waiters.push({ drainedOnly: false, resolve, reject });
        settle();
      });
    },
    get inFlight() {
      return running;
    },
    get failed() {
      return failed;
    },
  };
}
