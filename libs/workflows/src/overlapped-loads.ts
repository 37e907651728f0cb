import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType, type LoadPartResult, type PartToLoad, type UnloadResult } from '@ferry/contract';
import { laneQueue } from './lanes-queue';
import { isLoadable, proveAgainstManifest, type LoadedPart } from './manifest-proof';

export interface OverlappedLoadsDeps {
  lanes: number;
  /** loadPart; `epoch` counts the resets of staging before this load (the ledger names reloads by it). */
  load(part: PartToLoad, epoch: number): Promise<LoadPartResult>;
  /** resetStaging: empties staging, keeps the ledger. */
  reset(reason: string): Promise<void>;
  onLoaded?(part: PartToLoad, result: LoadPartResult): void;
  onReset?(reason: string): void;
}

/**
 * Loads parts of the current unload attempt as they are reported, at most `lanes` at once,
 * and proves the result against the manifest at the end.
 *
 * The current attempt is the highest seen, in a signal or in the unload's result; parts of an
 * older one are ignored. When a newer attempt appears after parts of an older one started
 * loading, no new load starts, the running ones finish, and staging is reset before the new
 * attempt's parts load: every part of a superseded attempt is superseded, so staging is
 * emptied per attempt rather than per part.
 */
export function overlappedLoads(deps: OverlappedLoadsDeps) {
  let attempt = 0;
  let epoch = 0;
  let closed = false;
  /** Keys of the current attempt queued, running or loaded since the last reset. */
  const queued = new Set<string>();
  /** Loads of the current attempt that committed since the last reset. */
  const loaded = new Map<string, LoadedPart>();
  /** Attempts whose loads started since the last reset: what staging may hold. */
  const staged = new Set<number>();
  let resetQueued = false;

  const lanes = laneQueue<{ part: PartToLoad; attempt: number }>(deps.lanes, async (job) => {
    if (job.attempt !== attempt) return;
    const startedIn = epoch;
    staged.add(job.attempt);
    const result = await deps.load(job.part, startedIn);
    if (job.attempt !== attempt || startedIn !== epoch) return;
    loaded.set(job.part.key, {
      key: job.part.key,
      name: job.part.name,
      rows: result.rows,
      bytes: result.bytes,
      etag: result.etag,
      markedEtag: result.markedEtag,
    });
    deps.onLoaded?.(job.part, result);
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

  const offer = (of: number, parts: readonly PartToLoad[]) => {
    if (of < attempt) return;
    if (of > attempt) {
      attempt = of;
      queued.clear();
      loaded.clear();
      lanes.dropQueued();
      if (staged.size > 0) resetStaging(`unload attempt ${of} supersedes the parts of attempt ${[...staged].join(', ')}`);
    }
    for (const part of parts) {
      if (queued.has(part.key)) continue;
      queued.add(part.key);
      lanes.push({ part, attempt: of });
    }
  };

  return {
    /** A `partsUnloaded` signal: parts listed complete while the UNLOAD runs. */
    unloaded(of: number, parts: readonly PartToLoad[]) {
      if (!closed)
        offer(
          of,
          parts.filter((p) => p.bytes > 0),
        );
    },

    /**
     * The unload's result: loads the manifest's parts not loaded yet, then proves staging
     * against the manifest. A loaded part the manifest does not confirm means staging holds
     * something else than the manifest's parts: reset it and load exactly the manifest's
     * parts (slow, but correct); if even that disagrees, fail without publishing.
     */
    async finish(result: UnloadResult & { attempt: number }): Promise<LoadedPart[]> {
      closed = true;
      offer(result.attempt, result.parts.filter(isLoadable));
      await lanes.drained();
      const first = proveAgainstManifest([...loaded.values()], result.parts);
      if (first.ok) return [...loaded.values()];
      loaded.clear();
      queued.clear();
      resetStaging(`the loaded parts disagree with the manifest: ${first.problems.join('; ')}`);
      offer(result.attempt, result.parts.filter(isLoadable));
      await lanes.drained();
      const again = proveAgainstManifest([...loaded.values()], result.parts);
      if (again.ok) return [...loaded.values()];
      throw ApplicationFailure.nonRetryable(
        `the parts loaded into staging disagree with the UNLOAD manifest even after loading exactly its parts again: ${again.problems.join('; ')}. The target was not changed; the unloaded files and the staging table are kept for inspection`,
        FailureType.verification,
      );
    },

    /** Waits until no load or reset runs, whatever their outcome (before cleanup or failing). */
    quiet: () => lanes.quiet(),
  };
}
