import type { ColumnMetadata } from '@aws-sdk/client-redshift-data';
import type { ResultField } from '../columns';

/**
 * Type OIDs by ColumnMetadata's typeName, which the Data API reports as the type's catalog name
 * (AWS, Redshift Data API reference, "ColumnMetadata": typeName, "The database-specific data
 * type of the column"; the names themselves are *assumed* to be pg_type's, as its documented
 * examples show for int4 and varchar).
 */
const OIDS: Record<string, number> = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  unknown: 705,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  intervaly2m: 1188,
  intervald2s: 1190,
  timetz: 1266,
  numeric: 1700,
  hllsketch: 2935,
  geometry: 3000,
  geography: 3001,
  super: 4000,
  varbyte: 6551,
};

const LENGTHS = new Set(['bpchar', 'varchar', 'varbyte']);

/**
 * A result's columns as the wire protocol's RowDescription would describe them, so the type
 * map reads both transports alike. The modifier comes from `length` (character and byte
 * types) or `precision` and `scale` (numeric), encoded as PostgreSQL's typmod; which of
 * `length` and `precision` carries a VARCHAR's declared length is *assumed* (either is read).
 */
export function describeColumnMetadata(columns: ColumnMetadata[]): ResultField[] {
  return columns.map((c) => {
    const typeName = c.typeName ?? '';
    const dataTypeID = OIDS[typeName] ?? 0;
    let dataTypeModifier = -1;
    if (LENGTHS.has(typeName)) {
      const length = c.length || c.precision || 0;
      if (length > 0) dataTypeModifier = length + 4;
    } else if (typeName === 'numeric' && (c.precision ?? 0) > 0) {
      dataTypeModifier = ((c.precision! << 16) | (c.scale ?? 0)) + 4;
    }
    return { name: c.name ?? '', dataTypeID, dataTypeModifier };
  });
}
