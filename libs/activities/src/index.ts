// The worker binds createActivities; the CLI and tools use the previews and statement
// builders. Types the workflows share are in @ferry/contract.
export * from './create-activities';
export type { ActivityDeps } from './deps';
export { SessionPools } from './pg/session-pools';
export { useSource, type SourceSession } from './source-session';
export { awsCredentials } from './import-aws-s3';
export { loadTaskQueue } from './task-queues';
export { manifestParts } from './manifest';
export { previewTransfer } from './preview';
export type { TransferPreview } from './preview';
export { previewDiscovery, previewTargetDdl, sourceTableEstimates } from './catalog-preview';
export type { TargetDdl } from './catalog-preview';
export { describeReport } from './verify/report';
