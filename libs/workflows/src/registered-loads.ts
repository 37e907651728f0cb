import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, type LoadPartResult, type PartsProof, type RegisteredPart } from '@ferry/contract';
import { laneQueue } from './lanes-queue';

/** Parts of one attempt, by ordinal: `from` up to, not including, `to`. */
export interface PartRange {
  attempt: number;
  from: number;
  to: number;
  epoch: number;
}

/** What a range's loads add up to. */
export interface RangeLoaded {
  parts: number;
  rows: number;
  bytes: number;
}

export interface RegisteredLoadsDeps {
  lanes: number;
  /** Part loads this workflow schedules itself; the parts after them go to child workflows, this many each. */
  partsPerWorkflow: number;
  /** loadPart of a registered part, scheduled by this workflow. */
  load(part: RegisteredPart, epoch: number): Promise<LoadPartResult>;
  /** A child workflow that loads a range (loadPartRange). */
  loadRange(range: PartRange): Promise<RangeLoaded>;
  /** resetStaging: empties staging, keeps the ledger. */
  reset(reason: string): Promise<void>;
  /** proveParts: the manifest proof, in the target. */
  prove(attempt: number, epoch: number): Promise<PartsProof>;
  onLoaded?(loaded: RangeLoaded): void;
  onReset?(reason: string): void;
}

/**
 * Loads the parts of a run whose unload registers them on the target (@ferry/postgres
 * parts-registry.ts) and tells the workflow only how many there are, so that no history holds
 * a table's parts, whatever their number. The first `partsPerWorkflow` parts load here, as
 * they are registered, at most `lanes` at once; after those, each range of `partsPerWorkflow`
 * parts loads in a child workflow, one at a time, so every history stays a bounded size.
 * While the UNLOAD runs only whole ranges go to children; the rest goes once it has ended.
 *
 * The current attempt is the highest seen, in a signal or in the unload's result; as in
 * overlapped-loads.ts a newer attempt supersedes the older's parts, and staging is reset
 * before the newer's load if the older's had started. The proof is the registry's, against the
 * ledger: if it fails, staging is reset and every part of the manifest is loaded again (by
 * children), and a second failure fails the run without publishing.
 */
export function registeredLoads(deps: RegisteredLoadsDeps) {
  let attempt = 0;
  let registered = 0;
  /** The next ordinal of the current attempt to schedule. */
  let next = 0;
  let epoch = 0;
  let loadedHere = 0;
  let ended = false;
  /** Attempts whose loads started since the last reset: what staging may hold. */
  const staged = new Set<number>();
  let resetQueued = false;

  const lanes = laneQueue<RegisteredPart>(deps.lanes, async (part) => {
    if (part.attempt !== attempt) return;
    const startedIn = epoch;
    staged.add(part.attempt);
    const result = await deps.load(part, startedIn);
    if (part.attempt === attempt && startedIn === epoch) deps.onLoaded?.({ parts: 1, rows: result.rows, bytes: result.bytes });
  });

  const resetStaging = (reason: string) => {
    if (resetQueued) return;
    resetQueued = true;
    lanes.exclusive(async () => {
      await deps.reset(reason);
      epoch++;
      staged.clear();
      resetQueued = false;
      deps.onReset?.(reason);
    });
  };

  /** Schedules what can go now: single parts while this workflow has room, then whole ranges (any range once the UNLOAD has ended). */
  const schedule = () => {
    while (next < registered && loadedHere < deps.partsPerWorkflow) {
      lanes.push({ attempt, ordinal: next++ });
      loadedHere++;
    }
    while (next < registered && (ended || registered - next >= deps.partsPerWorkflow)) {
      const range = { attempt, from: next, to: Math.min(registered, next + deps.partsPerWorkflow) };
      next = range.to;
      lanes.exclusive(async () => {
        if (range.attempt !== attempt) return;
        const startedIn = epoch;
        staged.add(range.attempt);
        const loaded = await deps.loadRange({ ...range, epoch: startedIn });
        if (range.attempt === attempt && startedIn === epoch) deps.onLoaded?.(loaded);
      });
    }
  };

  const offer = (of: number, count: number) => {
    if (of < attempt) return;
    if (of > attempt) {
      attempt = of;
      registered = 0;
      next = 0;
      lanes.dropQueued();
      if (staged.size > 0) resetStaging(`unload attempt ${of} supersedes the parts of attempt ${[...staged].join(', ')}`);
    }
    registered = Math.max(registered, count);
    schedule();
  };

  return {
    /** A `partsRegistered` signal. */
    registered(of: number, count: number) {
      if (!ended) offer(of, count);
    },

    /** The unload's result: loads what is left, then proves staging against the manifest (twice at most). */
    async finish(of: number, count: number): Promise<PartsProof> {
      ended = true;
      offer(of, count);
      await lanes.drained();
      const first = await deps.prove(attempt, epoch);
      if (first.problemCount === 0) return first;
      resetStaging(`the loaded parts disagree with the manifest: ${describe(first)}`);
      // Everything again, in children: this workflow's own room is spent.
      next = 0;
      loadedHere = deps.partsPerWorkflow;
      schedule();
      await lanes.drained();
      const again = await deps.prove(attempt, epoch);
      if (again.problemCount === 0) return again;
      throw ApplicationFailure.nonRetryable(
        `the parts loaded into staging disagree with the UNLOAD manifest even after loading exactly its parts again: ${describe(again)}. The target was not changed; the unloaded files and the staging table are kept for inspection`,
        FailureType.verification,
      );
    },

    /** Waits until no load, range or reset runs, whatever their outcome (before cleanup or failing). */
    quiet: () => lanes.quiet(),
  };
}

function describe(proof: PartsProof): string {
  const more = proof.problemCount - proof.problems.length;
  return `${proof.problems.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}
