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
  /** CHAR, VARCHAR and VARBYTE: the declared length (AWS: "The length of the column"; which field carries it is *assumed*). */
  length?: number;
  /** NUMERIC: declared precision and scale. */
  precision?: number;
  scale?: number;
}

/**
 * Type names by the OIDs redshift-local reports (Redshift's own, after the proxy's rewrite):
 * pg_type's names, as Redshift's catalog has them (int4, varchar, super …: *assumed* to be what
 * the Data API's typeName gives); others by their OID.
 */
const TYPE_NAMES: Record<number, string> = {
  16: 'bool',
  17: 'bytea',
  18: 'char',
  19: 'name',
  705: 'unknown',
  1186: 'interval',
  1188: 'intervaly2m',
  1190: 'intervald2s',
  1266: 'timetz',
  2935: 'hllsketch',
  3000: 'geometry',
  // A result describes GEOMETRY as 3999 ("geometryhex"); its name is *assumed* to stay geometry.
  3999: 'geometry',
  3001: 'geography',
  4000: 'super',
  6551: 'varbyte',
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
    return {
      name: f.name,
      label: f.name,
      typeName,
      ...([20, 21, 23, 700, 701, 1700].includes(f.dataTypeID) && { isSigned: true }),
      ...modifier(typeName, f.dataTypeModifier),
    };
  });

/** What the type modifier declares, decoded as PostgreSQL encodes it. */
function modifier(typeName: string, typmod: number): Pick<ColumnMetadata, 'length' | 'precision' | 'scale'> {
  if (typmod < 4) return {};
  if (['bpchar', 'varchar', 'varbyte'].includes(typeName)) return { length: typmod - 4 };
  if (typeName === 'numeric') return { precision: ((typmod - 4) >> 16) & 0xffff, scale: (typmod - 4) & 0x7ff };
  return {};
}

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
