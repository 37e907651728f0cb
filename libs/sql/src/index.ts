export * from './identifiers';
export * from './literals';
export * from './statement';
export * from './transaction';
