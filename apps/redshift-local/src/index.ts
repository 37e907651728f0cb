// What tests and tools use of redshift-local in-process; `src/main.ts` runs it as a service.
export { startRedshiftLocal, type RedshiftLocalOptions } from './server';
export { installRedshiftTypes } from './install';
