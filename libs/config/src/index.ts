export * from './schema';
export * from './load';
export * from './connections';
export * from './temporal';
export * from './tls';
export * from './label';
export { SSL_MODES, type SslMode } from './ssl-modes';
