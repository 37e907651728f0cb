export * from './keys';
export * from './codec';
export * from './data-converter';
export * from './codec-server';
