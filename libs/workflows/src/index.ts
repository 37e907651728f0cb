// Workflow code only: the worker bundles this file for Temporal's deterministic sandbox.
export { tableTransfer } from './table-transfer';
export { cleanupTransfer } from './cleanup-transfer';
export type { CleanupTransferInput } from './cleanup-transfer';
export type { TableTransferResult } from './table-transfer';
export { progressQuery } from './progress';
export type { TransferProgress, TransferPhase } from './progress';
export { tableTransferInputSchema, parseTableTransferInput } from './input';
export type { TableTransferInput, TableTransferOptions } from './input';
