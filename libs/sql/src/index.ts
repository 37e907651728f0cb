export * from './identifiers';
export * from './literals';
export * from './statement';
export * from './transaction';
export * from './session-setup';
export * from './recording-session';
export * from './schemas';
