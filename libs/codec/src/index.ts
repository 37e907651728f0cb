export * from './keys';
export * from './codec';
export * from './failure-converter';
export * from './data-converter';
export * from './codec-server';
