/**
 * Redshift's type names and aliases ("Data types", "Numeric types", "Character types",
 * "Datetime types", "VARBYTE type", "SUPER type", "HLLSKETCH type", "Querying spatial data")
 * as the PostgreSQL types that back them. Character lengths count BYTES in Redshift
 * ("Character types": "the length is in bytes, not characters"): the declared n stays the
 * typmod, so the catalog reports it, and a CHECK on octet_length enforces it.
 */
export interface MappedType {
  sql: string;
  /** A CHECK condition over the column (given its SQL name) Redshift's semantics need. */
  check?: (column: string) => string;
}

const MULTIWORD = [
  'DOUBLE PRECISION',
  'CHARACTER VARYING',
  'BINARY VARYING',
  'TIMESTAMP WITHOUT TIME ZONE',
  'TIMESTAMP WITH TIME ZONE',
  'TIME WITHOUT TIME ZONE',
  'TIME WITH TIME ZONE',
  'INTERVAL YEAR TO MONTH',
  'INTERVAL DAY TO SECOND',
];

/** The longest known multi-word type name starting with `words` (upper-cased). */
export function typeNameLength(words: string[]): number {
  for (const name of MULTIWORD) {
    const parts = name.split(' ');
    if (parts.every((p, i) => words[i] === p)) return parts.length;
  }
  return 1;
}

const bytes = (n: number) => (column: string) => `octet_length(${column}) <= ${n}`;
const int = (s: string | undefined, fallback: number) => (s === undefined ? fallback : Number(s));

export class DdlError extends Error {}

/** Maps Redshift's type `name` (upper-cased words) with its `args`; undefined leaves it as written. */
export function mapType(name: string, args: string[]): MappedType | undefined {
  switch (name) {
    case 'SMALLINT':
    case 'INT2':
      return { sql: 'smallint' };
    case 'INTEGER':
    case 'INT':
    case 'INT4':
      return { sql: 'integer' };
    case 'BIGINT':
    case 'INT8':
      return { sql: 'bigint' };
    case 'DECIMAL':
    case 'NUMERIC': {
      // "Numeric types": precision up to 38, default (18, 0).
      const p = int(args[0], 18);
      const s = int(args[1], 0);
      if (p < 1 || p > 38) throw new DdlError(`NUMERIC precision ${p} must be between 1 and 38`);
      return { sql: `numeric(${p},${s})` };
    }
    case 'REAL':
    case 'FLOAT4':
      return { sql: 'real' };
    case 'DOUBLE PRECISION':
    case 'FLOAT8':
    case 'FLOAT':
      return { sql: 'double precision' };
    case 'BOOLEAN':
    case 'BOOL':
      return { sql: 'boolean' };
    case 'CHAR':
    case 'CHARACTER':
    case 'NCHAR':
    case 'BPCHAR': {
      // BPCHAR is CHAR(256); CHAR holds single-byte characters only.
      const n = name === 'BPCHAR' ? 256 : int(args[0], 1);
      return { sql: `char(${n})`, check: (c) => `octet_length(${c}::text) = char_length(${c}::text)` };
    }
    case 'VARCHAR':
    case 'CHARACTER VARYING':
    case 'NVARCHAR':
    case 'TEXT': {
      // TEXT is VARCHAR(256), VARCHAR's default is 256, VARCHAR(MAX) is 65535 bytes.
      const arg = args[0]?.toUpperCase();
      const n = name === 'TEXT' ? 256 : arg === 'MAX' ? 65535 : int(arg, 256);
      if (n < 1 || n > 65535) throw new DdlError(`VARCHAR length ${n} must be between 1 and 65535`);
      return { sql: `varchar(${n})`, check: bytes(n) };
    }
    case 'DATE':
      return { sql: 'date' };
    case 'TIMESTAMP':
    case 'TIMESTAMP WITHOUT TIME ZONE':
      return { sql: 'timestamp' };
    case 'TIMESTAMPTZ':
    case 'TIMESTAMP WITH TIME ZONE':
      return { sql: 'timestamptz' };
    case 'TIME':
    case 'TIME WITHOUT TIME ZONE':
      return { sql: 'time' };
    case 'TIMETZ':
    case 'TIME WITH TIME ZONE':
      return { sql: 'timetz' };
    case 'INTERVAL YEAR TO MONTH':
      return { sql: 'interval year to month' };
    case 'INTERVAL DAY TO SECOND':
      return { sql: 'interval day to second' };
    case 'VARBYTE':
    case 'VARBINARY':
    case 'BINARY VARYING':
      // "VARBYTE type": default 64,000.
      return { sql: `varbyte(${int(args[0], 64000)})` };
    case 'SUPER':
      return { sql: 'super' };
    case 'GEOMETRY':
      return { sql: 'geometry' };
    case 'GEOGRAPHY':
      return { sql: 'geography' };
    case 'HLLSKETCH':
      return { sql: 'hllsketch' };
    default:
      return undefined;
  }
}
