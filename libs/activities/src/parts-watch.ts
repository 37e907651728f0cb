import { setTimeout as sleep } from 'node:timers/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { log } from '@temporalio/activity';
import { listObjects } from '@ferry/s3';
import { manifestKey } from './manifest';
import type { ListedPart } from '@ferry/contract';

/** At most this many parts per signal, so a burst of parts never makes one huge history event. */
const PARTS_PER_SIGNAL = 500;

export interface PartsWatch {
  /** Stops watching after the tick in progress; never throws. */
  stop(): Promise<void>;
}

/**
 * Lists an attempt's folder every `intervalMs` while its UNLOAD runs and hands each newly
 * seen part (never the manifest) to `send`. S3 lists an object only once its upload has
 * completed, and listings are strongly consistent after a write (AWS, "Amazon S3 data
 * consistency model"), so a listed part is whole. The watch only speeds loads up: listing or
 * sending failures are logged and retried on the next tick, and the manifest stays the proof.
 */
export function watchParts(
  s3: S3Client,
  bucket: string,
  folder: string,
  send: (parts: ListedPart[]) => Promise<void>,
  options: { intervalMs?: number; afterTick?: () => Promise<void> } = {},
): PartsWatch {
  const intervalMs = options.intervalMs ?? 1_000;
  const seen = new Set<string>();
  const unsent: ListedPart[] = [];
  let stopped = false;
  const wake = new AbortController();

  const tick = async () => {
    try {
      for await (const o of listObjects(s3, bucket, folder)) {
        if (o.key === manifestKey(folder) || seen.has(o.key)) continue;
        seen.add(o.key);
        unsent.push({ key: o.key, name: o.key.slice(folder.length), bytes: o.size, etag: o.etag });
      }
    } catch (err) {
      log.warn('listing the unload folder failed; retrying', { error: (err as Error).message });
    }
    while (unsent.length > 0 && !stopped) {
      const batch = unsent.slice(0, PARTS_PER_SIGNAL);
      await send(batch);
      unsent.splice(0, batch.length);
    }
    await options.afterTick?.();
  };

  // Waits before the first listing: no part is complete at once, and a small table's UNLOAD
  // ends before the first tick, which saves it a listing.
  const loop = (async () => {
    for (;;) {
      await sleep(intervalMs, undefined, { signal: wake.signal }).catch(() => undefined);
      if (stopped) return;
      try {
        await tick();
      } catch (err) {
        log.warn('telling the workflow about unloaded parts failed; retrying', { error: (err as Error).message });
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake.abort();
      await loop;
    },
  };
}
