/**
 * A target column's type as PostgreSQL's catalog describes it: the base type's name
 * (`pg_type.typname`, domains resolved to their base), its type modifier and
 * `format_type()`'s spelling for messages.
 */
export interface TargetType {
  base: string;
  typmod: number;
  display: string;
}

/** PostgreSQL's interval field masks (datetime.h: 1 << MONTH, 1 << YEAR, …). */
export const intervalFields = {
  yearToMonth: (1 << 1) | (1 << 2),
  dayToSecond: (1 << 3) | (1 << 10) | (1 << 11) | (1 << 12),
  full: 0x7fff,
} as const;

/** CHAR(n)/VARCHAR(n): n; unconstrained: undefined. */
export function characterLength(typmod: number): number | undefined {
  return typmod >= 4 ? typmod - 4 : undefined;
}

/** NUMERIC(p, s): both; unconstrained NUMERIC: undefined. */
export function numericPrecision(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const mod = typmod - 4;
  // PostgreSQL 15 stores the scale as an 11-bit signed number (negative scales round to tens).
  const rawScale = mod & 0x7ff;
  return { precision: (mod >> 16) & 0xffff, scale: rawScale >= 0x400 ? rawScale - 0x800 : rawScale };
}

/** Fractional digits of seconds a timestamp/time/timetz column keeps (6 unless declared lower). */
export function secondsPrecision(typmod: number): number {
  return typmod >= 0 ? typmod : 6;
}

/** An interval column's fields and fractional-second digits. */
export function intervalShape(typmod: number): { fields: number; precision: number } {
  if (typmod < 0) return { fields: intervalFields.full, precision: 6 };
  const precision = typmod & 0xffff;
  return { fields: (typmod >> 16) & 0x7fff, precision: precision === 0xffff ? 6 : precision };
}
