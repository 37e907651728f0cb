// The PostgreSQL target: what ferry reads of its catalog, what it keeps there (names, ledger,
// leases, publish records), and every statement that changes it — planned as data, with the
// readers and the transactions that run them on a session.
export * from './names';
export * from './catalog';
export * from './ledger';
export * from './parts-registry';
export * from './lease';
export * from './published';
export * from './loaded-columns';
export * from './run-columns';
export * from './bookkeeping';
export * from './staging';
export * from './comments';
export * from './swap-blockers';
export * from './identity-sequences';
export * from './table-shape';
export * from './twin';
export * from './carried';
export * from './swap';
export * from './publish-modes';
export * from './identity-moves';
export * from './refusals';
export * from './publish';
export * from './sync-segments';
export * from './sync-publish';
export * from './staged-publish';
export * from './create-target';
export * from './high-water-mark';
export * from './part-load';
export * from './slots';
export * from './session-settings';
