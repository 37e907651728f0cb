import type { RedshiftKind } from './redshift-types';

/**
 * Canonical text of a value: an expression on Redshift and one on PostgreSQL that print the
 * same text for the same value, so rows can be hashed inside each database and compared.
 * Both sessions run with DateStyle ISO, TimeZone UTC and extra_float_digits 0 (what
 * `canonicalSessionSql` sets). A type without such a pair is left out of comparisons by
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

const FORMS: Record<RedshiftKind, CanonicalForm> = {
  smallint: asNumber(),
  integer: asNumber(),
  bigint: asNumber(),
  decimal: asNumber('trailing fractional zeros ignored, so a wider numeric target compares equal'),
  // With extra_float_digits 0 both print %.15g (REAL: %.6g), PostgreSQL's and Redshift's float output alike;
  // a REAL loaded into a double precision column is read back as REAL, which it exactly is.
  real: { compared: true, redshift: (c) => `CAST(${c} AS VARCHAR)`, postgres: (c) => `CAST(CAST(${c} AS REAL) AS VARCHAR)`, note: 'to 6 significant digits' },
  double: same((c) => `CAST(${c} AS VARCHAR)`, 'to 15 significant digits'),
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

/** The session settings both sides compute canonical text under. */
export const canonicalSessionSql = [`SET DateStyle TO 'ISO, MDY'`, `SET TimeZone TO 'UTC'`, 'SET extra_float_digits TO 0'];
