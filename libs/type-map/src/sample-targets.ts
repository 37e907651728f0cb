import { intervalFields, type TargetType } from './pg-types';

const numeric = (p: number, s: number) => ((p << 16) | s) + 4;
const interval = (fields: number) => (fields << 16) | 0xffff;

/**
 * Target column types the documentation's compatibility matrix is computed over: the
 * mapped types and their usual near misses.
 */
export const sampleTargets: TargetType[] = [
  { display: 'smallint', base: 'int2', typmod: -1 },
  { display: 'integer', base: 'int4', typmod: -1 },
  { display: 'bigint', base: 'int8', typmod: -1 },
  { display: 'numeric', base: 'numeric', typmod: -1 },
  { display: 'numeric(12,2)', base: 'numeric', typmod: numeric(12, 2) },
  { display: 'numeric(38,10)', base: 'numeric', typmod: numeric(38, 10) },
  { display: 'real', base: 'float4', typmod: -1 },
  { display: 'double precision', base: 'float8', typmod: -1 },
  { display: 'boolean', base: 'bool', typmod: -1 },
  { display: 'character(10)', base: 'bpchar', typmod: 14 },
  { display: 'character(20)', base: 'bpchar', typmod: 24 },
  { display: 'character varying(50)', base: 'varchar', typmod: 54 },
  { display: 'character varying(200)', base: 'varchar', typmod: 204 },
  { display: 'text', base: 'text', typmod: -1 },
  { display: 'date', base: 'date', typmod: -1 },
  { display: 'timestamp', base: 'timestamp', typmod: -1 },
  { display: 'timestamp(3)', base: 'timestamp', typmod: 3 },
  { display: 'timestamptz', base: 'timestamptz', typmod: -1 },
  { display: 'time', base: 'time', typmod: -1 },
  { display: 'timetz', base: 'timetz', typmod: -1 },
  { display: 'interval', base: 'interval', typmod: -1 },
  { display: 'interval year to month', base: 'interval', typmod: interval(intervalFields.yearToMonth) },
  { display: 'interval day to second', base: 'interval', typmod: interval(intervalFields.dayToSecond) },
  { display: 'bytea', base: 'bytea', typmod: -1 },
  { display: 'jsonb', base: 'jsonb', typmod: -1 },
  { display: 'json', base: 'json', typmod: -1 },
  { display: 'geometry', base: 'geometry', typmod: -1 },
  { display: 'geography', base: 'geography', typmod: -1 },
];
