export * from './redshift-types';
export * from './pg-types';
export * from './column-plan';
export * from './types-doc';
export * from './create-table';
export * from './canonical';
