// The PostgreSQL target: what ferry keeps there (names, ledger, leases, publish records) as
// statements planned as data, and the readers that run them on a session.
export * from './names';
export * from './ledger';
export * from './lease';
export * from './published';
export * from './loaded-columns';
export * from './bookkeeping';
export * from './catalog';
export * from './staging';
