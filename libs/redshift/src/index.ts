// The Redshift source: what ferry reads there (columns, definitions, schemas, sizes) and the
// UNLOAD, as statements planned as data, the readers that run them on a session, and the
// port (source.ts) that activities and the CLI call.
export * from './relation';
export * from './columns';
export * from './definition';
export * from './relations';
export * from './table-sizes';
export * from './unload-select';
export * from './unload-statement';
export * from './source';
export * from './wire-source';
export * from './session-settings';
export * from './data-api';
