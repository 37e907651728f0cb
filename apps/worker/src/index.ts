// What the demo, the bench and tests use of the worker in-process; `src/main.ts` runs it as a process.
export { createFerryWorker, WORKFLOW_CACHE, WORKFLOW_THREAD_HEAP_MB, type FerryWorker, type FerryWorkerOptions } from './worker';
