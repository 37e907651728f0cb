// The value-by-value proof: segment checksums planned for Redshift and PostgreSQL alike, the
// sides that compute them in their databases, and the comparison that bisects differing buckets.
export * from './side-query';
export * from './canonical-sides';
export * from './checksum-side';
export * from './compare';
export * from './carried-hash';
export * from './sync';
