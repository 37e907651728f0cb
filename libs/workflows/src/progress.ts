import { defineQuery } from '@temporalio/workflow';
import { PROGRESS_QUERY } from '@ferry/contract';

export type TransferPhase = 'preparing' | 'unloading' | 'loading' | 'finalizing' | 'cleaning up' | 'done' | 'failed' | 'cancelled';

/** What `temporal workflow query --name progress` returns. */
export interface TransferProgress {
  phase: TransferPhase;
  partsTotal: number;
  partsDone: number;
  /** Empty parts: counted, never loaded (RDS's import fails on 0-byte files). */
  partsSkipped: number;
  rowsLoaded: number;
  bytesLoaded: number;
  /** mode sync: `comparing segments`, `moving 12 of 65536 segments`, `publishing 12 segments`, or `copying every row` with why. */
  sync?: string;
}

export const progressQuery = defineQuery<TransferProgress>(PROGRESS_QUERY);
