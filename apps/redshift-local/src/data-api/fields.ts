import type { FieldDef } from 'pg';

// How the Data API hands back a result (AWS, Redshift Data API reference, "Field" and
// "ColumnMetadata"): each value is one member of a union, NULL as `isNull`. Which PostgreSQL
// types come back as longValue, doubleValue or booleanValue rather than stringValue is
// *assumed* from the documented examples (integers long, floats double, booleans boolean,
// everything else, numeric included, as text).

export type Field = { isNull: true } | { longValue: number } | { doubleValue: number } | { booleanValue: boolean } | { stringValue: string };

export interface ColumnMetadata {
  name: string;
  label: string;
  typeName: string;
  isSigned?: boolean;
}

/** PostgreSQL type OIDs by the names Redshift reports (int4, varchar …); others by their OID. */
const TYPE_NAMES: Record<number, string> = {
  16: 'bool',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  700: 'float4',
  701: 'float8',
  1042: 'bpchar',
  1043: 'varchar',
  1082: 'date',
  1083: 'time',
  1114: 'timestamp',
  1184: 'timestamptz',
  1700: 'numeric',
};

export const columnMetadata = (fields: FieldDef[]): ColumnMetadata[] =>
  fields.map((f) => {
    const typeName = TYPE_NAMES[f.dataTypeID] ?? String(f.dataTypeID);
    return { name: f.name, label: f.name, typeName, ...([20, 21, 23, 700, 701, 1700].includes(f.dataTypeID) && { isSigned: true }) };
  });

/** One value as its Field: the rows are read as text (every type parser off), so nothing is rounded on the way. */
export function field(value: string | null, dataTypeID: number): Field {
  if (value === null) return { isNull: true };
  if (dataTypeID === 21 || dataTypeID === 23) return { longValue: Number(value) };
  // int8 beyond 2^53 would lose digits as a JSON number: those come back as text (assumed).
  if (dataTypeID === 20) return Number.isSafeInteger(Number(value)) ? { longValue: Number(value) } : { stringValue: value };
  if (dataTypeID === 700 || dataTypeID === 701) return { doubleValue: Number(value) };
  if (dataTypeID === 16) return { booleanValue: value === 't' };
  return { stringValue: value };
}
