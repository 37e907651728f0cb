import type { LoadPartResult, RegisteredPart, RegisteredRun } from '@ferry/contract';
import { laneQueue } from './lanes-queue';

/** Parts of one attempt, by ordinal: `from` up to, not including, `to`, loaded after the `epoch`-th reset of staging. */
export interface PartRange {
  attempt: number;
  from: number;
  to: number;
  epoch: number;
}

/** What loads add up to; `skipped`: parts among them with nothing to load (empty). */
export interface RangeLoaded {
  parts: number;
  skipped: number;
  rows: number;
  bytes: number;
}

/** Where the loads stand once every part is loaded: what finalize's proof is asked about. */
export interface LoadsDone {
  attempt: number;
  epoch: number;
  /** Rows the current attempt's loads reported since the last reset. */
  rows: number;
  /** A tiny table: nothing loaded yet, all its parts (8 MB in all) for finalize to load first. */
  loadFirst?: RegisteredRun;
}

/** Parts smaller than this in all load in one activity (a run), one after another: an activity costs more than loading them. */
const RUN_BYTES = 8 * 1024 * 1024;
const RUN_PARTS = 100;

export interface RegisteredLoadsDeps {
  lanes: number;
  /** Part loads this workflow schedules itself; the parts after them go to child workflows, this many each. */
  partsPerWorkflow: number;
  /** A part's size, when this workflow knows it (the parts it loads itself come with their names and sizes). */
  sizeOf(part: RegisteredPart): number | undefined;
  /** loadPart of a registered part, scheduled by this workflow. */
  load(part: RegisteredPart, epoch: number): Promise<LoadPartResult>;
  /** loadPart of a run of small registered parts, one activity. */
  loadRun(run: RegisteredRun, epoch: number): Promise<LoadPartResult>;
  /** A child workflow that loads a range (loadPartRange). */
  loadRange(range: PartRange): Promise<RangeLoaded>;
  /** resetStaging: empties staging, keeps the ledger. */
  reset(reason: string): Promise<void>;
  onLoaded?(loaded: RangeLoaded): void;
  onReset?(reason: string): void;
}

/**
 * Loads the parts of a run whose unload registers them on the target (@ferry/postgres
 * parts-registry.ts) and tells the workflow only how many there are, so that no history holds
 * a table's parts, whatever their number. The first `partsPerWorkflow` parts load here, as
 * they are registered, at most `lanes` at once (consecutive small parts in one activity);
 * after those, each range of `partsPerWorkflow` parts loads in a child workflow, one at a
 * time, so every history stays a bounded size. While the UNLOAD runs only whole ranges go to
 * children; the rest goes once it has ended.
 *
 * The current attempt is the highest seen, in a signal or in the unload's result; a newer
 * attempt supersedes the older's parts, and staging is reset before the newer's load if the
 * older's had started. The proof is finalize's (against the
 * registry, in the target); if it fails, `again` resets staging and loads every part of the
 * manifest once more, in children.
 */
export function registeredLoads(deps: RegisteredLoadsDeps) {
  let attempt = 0;
  let registered = 0;
  /** The next ordinal of the current attempt to schedule. */
  let next = 0;
  let epoch = 0;
  let loadedHere = 0;
  let rows = 0;
  let ended = false;
  /** Attempts whose loads started since the last reset: what staging may hold. */
  const staged = new Set<number>();
  let resetQueued = false;

  const counted = (of: number, startedIn: number, loaded: RangeLoaded) => {
    if (of !== attempt || startedIn !== epoch) return;
    rows += loaded.rows;
    deps.onLoaded?.(loaded);
  };

  const lanes = laneQueue<RegisteredRun>(deps.lanes, async (job) => {
    if (job.attempt !== attempt) return;
    const startedIn = epoch;
    staged.add(job.attempt);
    const result = job.to - job.from === 1 ? await deps.load({ attempt: job.attempt, ordinal: job.from }, startedIn) : await deps.loadRun(job, startedIn);
    counted(job.attempt, startedIn, { parts: job.to - job.from, skipped: result.skipped ?? 0, rows: result.rows, bytes: result.bytes });
  });

  const resetStaging = (reason: string) => {
    if (resetQueued) return;
    resetQueued = true;
    lanes.exclusive(async () => {
      await deps.reset(reason);
      epoch++;
      rows = 0;
      staged.clear();
      resetQueued = false;
      deps.onReset?.(reason);
    });
  };

  /** How many parts from `from` make one load: a run of small ones, or one. */
  const runFrom = (from: number, room: number) => {
    let to = from;
    let bytes = 0;
    while (to < registered && to - from < Math.min(room, RUN_PARTS)) {
      const size = deps.sizeOf({ attempt, ordinal: to });
      if (size === undefined || bytes + size > RUN_BYTES) break;
      bytes += size;
      to++;
    }
    return Math.max(to, from + 1);
  };

  /** Schedules what can go now: parts while this workflow has room, then whole ranges (any range once the UNLOAD has ended). */
  const schedule = () => {
    while (next < registered && loadedHere < deps.partsPerWorkflow) {
      const to = runFrom(next, deps.partsPerWorkflow - loadedHere);
      lanes.push({ attempt, from: next, to });
      loadedHere += to - next;
      next = to;
    }
    while (next < registered && (ended || registered - next >= deps.partsPerWorkflow)) {
      const range = { attempt, from: next, to: Math.min(registered, next + deps.partsPerWorkflow) };
      next = range.to;
      lanes.exclusive(async () => {
        if (range.attempt !== attempt) return;
        const startedIn = epoch;
        staged.add(range.attempt);
        counted(range.attempt, startedIn, await deps.loadRange({ ...range, epoch: startedIn }));
      });
    }
  };

  const offer = (of: number, count: number) => {
    if (of < attempt) return;
    if (of > attempt) {
      attempt = of;
      registered = 0;
      next = 0;
      rows = 0;
      lanes.dropQueued();
      if (staged.size > 0) resetStaging(`unload attempt ${of} supersedes the parts of attempt ${[...staged].join(', ')}`);
    }
    registered = Math.max(registered, count);
    schedule();
  };

  const tiny = (of: number, count: number) => {
    if (count < 1 || count > Math.min(RUN_PARTS, deps.partsPerWorkflow)) return false;
    let bytes = 0;
    for (let ordinal = 0; ordinal < count; ordinal++) {
      const size = deps.sizeOf({ attempt: of, ordinal });
      if (size === undefined) return false;
      bytes += size;
    }
    return bytes <= RUN_BYTES;
  };

  const done = async (): Promise<LoadsDone> => {
    await lanes.drained();
    return { attempt, epoch, rows };
  };

  return {
    /** A `partsRegistered` signal. */
    registered(of: number, count: number) {
      if (!ended) offer(of, count);
    },

    /**
     * The unload's result: loads what is left. A table whose parts are all still to load and
     * small (8 MB in all) is left to finalize (`loadFirst`): one activity instead of two.
     */
    async finish(of: number, count: number): Promise<LoadsDone> {
      ended = true;
      if (of >= attempt && staged.size === 0 && (of > attempt || next === 0) && tiny(of, count)) {
        attempt = of;
        registered = count;
        next = count;
        loadedHere += count;
        lanes.dropQueued();
        // Staging will hold them once finalize ran: a later `again` resets it first.
        staged.add(of);
        return { attempt, epoch, rows: 0, loadFirst: { attempt, from: 0, to: count } };
      }
      offer(of, count);
      return done();
    },

    /** The proof failed: empties staging and loads every part of the attempt again, in children (this workflow's own room is spent). */
    async again(reason: string): Promise<LoadsDone> {
      resetStaging(reason);
      next = 0;
      loadedHere = deps.partsPerWorkflow;
      schedule();
      return done();
    },

    /** Waits until no load, range or reset runs, whatever their outcome (before cleanup or failing). */
    quiet: () => lanes.quiet(),
  };
}
