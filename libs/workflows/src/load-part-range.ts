import { ActivityCancellationType, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { FerryActivities, LoadTarget } from '@ferry/contract';
import { formatBytes, formatCount } from './format';
import { inLanes } from './lanes';
import type { PartRange, RangeLoaded } from './registered-loads';

// As tableTransfer's own loads (table-transfer.ts): a dead worker is noticed within the
// heartbeat timeout, and a cancellation waits for the database side to stop.
const { loadPart } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', maximumAttempts: 10 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

export interface LoadPartRangeInput {
  load: LoadTarget;
  /** The task queue of the target database's part loads. */
  taskQueue: string;
  range: PartRange;
  lanes: number;
}

/**
 * A child of tableTransfer: loads a range of a run's registered parts (registered-loads.ts),
 * at most `lanes` at once, so the table's own history holds one child per range instead of a
 * load per part. Each load is exactly-once by the ledger, so a retried or replayed range
 * loads nothing twice.
 */
export async function loadPartRange({ load, taskQueue, range, lanes }: LoadPartRangeInput): Promise<RangeLoaded> {
  const total: RangeLoaded = { parts: 0, skipped: 0, rows: 0, bytes: 0 };
  const ordinals = Array.from({ length: range.to - range.from }, (_, i) => range.from + i);
  await inLanes(ordinals, lanes, async (ordinal) => {
    const result = await loadPart.executeWithOptions({ summary: `load part ${ordinal} of attempt ${range.attempt}`, taskQueue }, [
      { load, registered: { attempt: range.attempt, ordinal }, ...(range.epoch > 0 && { epoch: range.epoch }) },
    ]);
    total.parts++;
    total.skipped += result.skipped ?? 0;
    total.rows += result.rows;
    total.bytes += result.bytes;
    setCurrentDetails(
      `loaded ${total.parts}/${ordinals.length} parts (${range.from}–${range.to - 1} of attempt ${range.attempt}), ${formatCount(total.rows)} rows, ${formatBytes(total.bytes)}`,
    );
  });
  return total;
}
