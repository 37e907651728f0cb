// Workflow code only: the worker bundles this file for Temporal's deterministic sandbox.
export { tableTransfer } from './table-transfer';
export { loadPartRange } from './load-part-range';
export type { LoadPartRangeInput } from './load-part-range';
export { cleanupTransfer } from './cleanup-transfer';
export { tableVerify } from './table-verify';
export { pipelineRun, pipelineProgressQuery } from './pipeline-run';
export type { PipelineRunResult, PipelineProgress, TableOutcome, TableStatus } from './pipeline-run';
export { ferrySearchAttributes } from './search-attributes';
export type { CleanupTransferInput } from './cleanup-transfer';
export type { TableTransferResult } from './table-transfer';
export { progressQuery } from './progress';
export type { TransferProgress, TransferPhase } from './progress';
export type { TableTransferInput, TableTransferOptions } from '@ferry/pipeline';
