export * from './create-activities';
export type { ActivityDeps } from './deps';
export * from './types';
export { FailureType } from './failures';
export type { LoadPartInput } from './load-part';
export type { CleanupResult, CleanupTargetInput } from './cleanup';
export { buildUnloadStatement } from './unload-statement';
export { parseManifest } from './manifest';
export { copyStatement } from './load-part';
