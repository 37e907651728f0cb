import type { RedshiftKind, SourceType } from './redshift-types';

/**
 * Canonical text of a value: an expression on Redshift and one on PostgreSQL that print the
 * same text for the same value, so rows can be hashed inside each database and compared.
 * Both sessions run with DateStyle ISO and TimeZone UTC (what `canonicalSessionSql` sets;
 * every session ferry opens pins them too). A type without such a pair is left out of comparisons by
 * name, with the reason — never compared as equal by accident.
 */
export type CanonicalForm =
  | {
      compared: true;
      redshift(column: string): string;
      postgres(column: string): string;
      /** The text may hold any character (so a row's texts must be length-prefixed to be told apart); numbers, times and hex cannot. */
      freeText?: true;
      note?: string;
    }
  | { compared: false; reason: string };

const same = (sql: (c: string) => string, note?: string, freeText?: true): CanonicalForm => ({
  compared: true,
  redshift: sql,
  postgres: sql,
  ...(note && { note }),
  ...(freeText && { freeText }),
});
const asText = same((c) => `CAST(${c} AS VARCHAR)`);
/**
 * Numbers as text without trailing fractional zeros, so a value prints alike in any integer or
 * numeric column the type map accepts it into (5 = 5.00 in numeric(12,2), 1.50 = 1.5000).
 */
const asNumber = (note?: string) =>
  same((c) => `CASE WHEN POSITION('.' IN CAST(${c} AS VARCHAR)) > 0 THEN RTRIM(RTRIM(CAST(${c} AS VARCHAR), '0'), '.') ELSE CAST(${c} AS VARCHAR) END`, note);

/**
 * A float as the integer mantissa and power of two it is (`m p e`, v = m × 2^e): exact to the
 * last bit and independent of extra_float_digits, which Redshift's UNLOAD session sets to 2
 * (%.17g there, shortest-exact text in PostgreSQL 12+: the same value, different text). The
 * exponent from LN is corrected by dividing by POWER(2, …), which is exact, so a last-bit
 * difference between two LN implementations cannot move it; subnormals share the smallest one;
 * NaN and ±Infinity by their names, 0 (and -0) as `0`. A
 * REAL is widened first, which is exact, so it compares equal in a double precision target.
 */
function asBinaryFloat(): CanonicalForm {
  const sql = (c: string) => {
    const v = `CAST(${c} AS DOUBLE PRECISION)`;
    // Clamped so that POWER cannot overflow or underflow (PostgreSQL raises an error for either).
    const l = `LEAST(GREATEST(FLOOR(LN(ABS(${v})) / LN(2)), -1074), 1023)`;
    const scaled = `ABS(${v}) / POWER(2, ${l})`;
    const e = `GREATEST(CASE WHEN ${scaled} < 1 THEN ${l} - 1 WHEN ${scaled} >= 2 THEN ${l} + 1 ELSE ${l} END, -1022)`;
    // v - v is 0 for every finite value and NaN for NaN and ±Infinity, whose text is the same
    // whatever extra_float_digits says; no literal of a special value is needed.
    return (
      `CASE WHEN ${v} IS NULL THEN NULL WHEN ${v} = 0 THEN '0' WHEN ${v} - ${v} <> 0 THEN CAST(${v} AS VARCHAR) ` +
      `ELSE CAST(CAST(${v} / POWER(2, ${e} - 52) AS BIGINT) AS VARCHAR) || 'p' || CAST(CAST(${e} AS INTEGER) AS VARCHAR) END`
    );
  };
  return { compared: true, redshift: sql, postgres: sql, note: 'exactly, as mantissa and power of two' };
}

/**
 * An integer's own text has no fractional digits to trim on Redshift; the target may hold it in
 * a numeric column (`5.00`), so the PostgreSQL side still trims.
 */
function asInteger(): CanonicalForm {
  const number = asNumber();
  return number.compared ? { ...number, redshift: (c) => `CAST(${c} AS VARCHAR)` } : number;
}

const FORMS: Record<RedshiftKind, CanonicalForm> = {
  smallint: asInteger(),
  integer: asInteger(),
  bigint: asInteger(),
  decimal: asNumber('trailing fractional zeros ignored, so a wider numeric target compares equal'),
  real: asBinaryFloat(),
  double: asBinaryFloat(),
  boolean: same((c) => `CASE WHEN ${c} THEN 't' WHEN NOT ${c} THEN 'f' END`),
  char: same((c) => `RTRIM(CAST(${c} AS VARCHAR))`, 'trailing spaces ignored, as CHAR comparisons do', true),
  varchar: same((c) => `CAST(${c} AS VARCHAR)`, undefined, true),
  date: asText,
  timestamp: asText,
  timestamptz: asText,
  time: asText,
  timetz: asText,
  intervalYearToMonth: {
    compared: false,
    reason: 'Redshift does not document the text form of INTERVAL values, so no form is known to print alike on both sides',
  },
  intervalDayToSecond: {
    compared: false,
    reason: 'Redshift does not document the text form of INTERVAL values, so no form is known to print alike on both sides',
  },
  interval: { compared: false, reason: 'Redshift does not document the text form of INTERVAL values, so no form is known to print alike on both sides' },
  varbyte: {
    compared: true,
    redshift: (c) => `FROM_VARBYTE(${c}, 'hex')`,
    postgres: (c) => `encode(${c}, 'hex')`,
    note: "as hex; on Redshift a VARCHAR, so values over 32,767 bytes fail the comparison's query",
  },
  super: { compared: false, reason: "Redshift's JSON_SERIALIZE and PostgreSQL's jsonb print the same document differently (spacing, key order)" },
  geometry: { compared: true, redshift: (c) => `FROM_VARBYTE(ST_AsEWKB(${c}), 'hex')`, postgres: (c) => `encode(ST_AsEWKB(${c}), 'hex')`, note: 'as hex EWKB' },
  geography: {
    compared: true,
    redshift: (c) => `FROM_VARBYTE(ST_AsEWKB(CAST(${c} AS GEOMETRY)), 'hex')`,
    postgres: (c) => `encode(ST_AsEWKB(${c}::geometry), 'hex')`,
    note: 'as hex EWKB',
  },
  hllsketch: { compared: true, redshift: (c) => `CAST(${c} AS VARCHAR)`, postgres: (c) => `${c}::text`, note: 'its text form', freeText: true },
};

export function canonicalForm(kind: RedshiftKind): CanonicalForm {
  return FORMS[kind];
}

/** The session settings both sides compute canonical text under (no form depends on extra_float_digits: the UNLOAD's session sets it to 2). */
export const canonicalSessionSql = [`SET DateStyle TO 'ISO, MDY'`, `SET TimeZone TO 'UTC'`];

/** Redshift's VARCHAR holds at most 65,535 bytes: the hex text of a longer VARBYTE or EWKB cannot be formed, let alone hashed. */
const REDSHIFT_MAX_VARCHAR = 65_535;
/** VARBYTE without a length is VARBYTE(64000) (AWS, "VARBYTE type"). */
const DEFAULT_VARBYTE_LENGTH = 64_000;
/** VARCHAR without a length is VARCHAR(256) (AWS, "Character types"). */
const DEFAULT_VARCHAR_LENGTH = 256;

/**
 * The most bytes a value's canonical text can take, from its declared type; undefined where
 * the type sets no bound (GEOMETRY, GEOGRAPHY, HLLSKETCH). Numbers and times print in at most
 * 64 characters (DECIMAL(38) with its sign and point is 40).
 */
export function canonicalMaxBytes(type: SourceType): number | undefined {
  switch (type.kind) {
    case 'char':
      return type.length ?? 1;
    case 'varchar':
      return type.length ?? DEFAULT_VARCHAR_LENGTH;
    case 'varbyte':
      return 2 * (type.length ?? DEFAULT_VARBYTE_LENGTH);
    case 'geometry':
    case 'geography':
    case 'hllsketch':
      return undefined;
    default:
      return 64;
  }
}

/**
 * Why Redshift cannot compute a compared column's canonical text for every value it may hold
 * (a hex text past VARCHAR's 65,535 bytes fails the query), or undefined when it can. The
 * checksum gate hashes rows inside the UNLOAD's SELECT, where a failing value would fail the
 * transfer: such columns are left out of it by name; `ferry verify` still compares them.
 */
export function unhashableOnRedshift(type: SourceType): string | undefined {
  const bytes = canonicalMaxBytes(type);
  if (type.kind === 'varbyte' && bytes! > REDSHIFT_MAX_VARCHAR) {
    return `a VARBYTE(${type.length ?? DEFAULT_VARBYTE_LENGTH}) value may be longer than the 32,767 bytes whose hex fits Redshift's VARCHAR, so the UNLOAD cannot hash it; ferry verify compares it`;
  }
  if (type.kind === 'geometry' || type.kind === 'geography') {
    return "its hex EWKB may exceed Redshift's 65,535-byte VARCHAR, so the UNLOAD cannot hash it; ferry verify compares it";
  }
  return undefined;
}

const INTEGER_KINDS: ReadonlySet<RedshiftKind> = new Set(['smallint', 'integer', 'bigint']);
const INTEGER_BASES: ReadonlySet<string> = new Set(['int2', 'int4', 'int8']);

/**
 * The PostgreSQL side's canonical text of a column whose target type is known (`targetBase`,
 * e.g. `int4`): the same text as the generic form, with less work where the type allows (an
 * integer column has no fractional zeros to trim, a character(n) column loses its trailing
 * spaces in the cast already). Staging's CHECK runs it on every row loaded.
 */
export function canonicalPostgres(kind: RedshiftKind, value: string, targetBase?: string): string {
  const form = FORMS[kind];
  if (!form.compared) throw new Error(`${kind} has no canonical form`);
  if (INTEGER_KINDS.has(kind) && targetBase !== undefined && INTEGER_BASES.has(targetBase)) return `CAST(${value} AS VARCHAR)`;
  // PostgreSQL drops a character(n)'s trailing spaces when it becomes another string type.
  if (kind === 'char' && targetBase === 'bpchar') return `CAST(${value} AS VARCHAR)`;
  return form.postgres(value);
}
