// The source over the Redshift Data API (HTTPS and IAM instead of a wire session into the VPC).
export * from './where';
export * from './parameters';
export * from './statements';
export * from './column-metadata';
export * from './session';
export * from './unload';
export * from './source';
