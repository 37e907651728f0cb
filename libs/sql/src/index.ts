export * from './identifiers';
export * from './literals';
