// What workflows and activities agree on. Pure: the workflow sandbox imports it, so it holds
// types, names and pure functions only.
export * from './options';
export * from './failures';
export * from './parts';
export * from './plan';
export * from './verify';
export * from './activities';
export * from './copy-format';
