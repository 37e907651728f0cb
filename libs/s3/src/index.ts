export * from './client';
export * from './urls';
export * from './objects';
