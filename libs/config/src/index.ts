export * from './schema';
export * from './load';
export * from './connections';
export * from './temporal';
