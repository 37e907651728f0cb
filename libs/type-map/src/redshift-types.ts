import { characterLength, intervalFields, intervalShape, numericPrecision, secondsPrecision, type TargetType } from './pg-types';

/**
 * ferry's one type map: for every Redshift type, how a result description reports it, the
 * PostgreSQL type it maps to, how ferry unloads and loads it so every value arrives as it
 * left, and which target column types can hold all of its values. prepare, the staging
 * table, finalize and docs/types.md all read it from here.
 */
export type RedshiftKind =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'real'
  | 'double'
  | 'boolean'
  | 'char'
  | 'varchar'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'time'
  | 'timetz'
  | 'intervalYearToMonth'
  | 'intervalDayToSecond'
  | 'interval'
  | 'varbyte'
  | 'super'
  | 'geometry'
  | 'geography'
  | 'hllsketch';

/** A source column's Redshift type with what its type modifier says (lengths in bytes). */
export interface SourceType {
  kind: RedshiftKind;
  length?: number;
  precision?: number;
  scale?: number;
}

/**
 * How a part's text becomes the column's value: loaded as is by COPY, or staged as text and
 * converted when published (VARBYTE and SUPER unload as hex, which COPY cannot read into
 * bytea or jsonb).
 */
export type LoadConversion = 'hex' | 'jsonHex';

export interface RedshiftTypeSpec {
  kind: RedshiftKind;
  /** Redshift's name and aliases, as its DDL accepts them. */
  names: string[];
  /** Type OIDs Redshift reports for it in a result description. */
  oids: number[];
  /** The PostgreSQL type it maps to. */
  target(source: SourceType): string;
  /** The SELECT expression ferry unloads a column with, when the column alone would not read back exactly. */
  unload?(column: string): string;
  load?: LoadConversion;
  /** Why `target` cannot hold every value of `source` exactly, or undefined when it can. */
  refuses(source: SourceType, target: TargetType): string | undefined;
  /** How it moves and what to know, for docs/types.md. */
  notes: string;
}

const INT_DIGITS: Partial<Record<RedshiftKind, number>> = { smallint: 5, integer: 10, bigint: 19 };
const ints = ['int2', 'int4', 'int8'];

/** An integer fits a wider integer, an unconstrained numeric, a numeric with enough integer digits, or a float with enough mantissa. */
function refusesInteger(source: SourceType, target: TargetType): string | undefined {
  const width = ints.indexOf({ smallint: 'int2', integer: 'int4', bigint: 'int8' }[source.kind as 'smallint']!);
  if (ints.includes(target.base)) return ints.indexOf(target.base) >= width ? undefined : 'the target integer is narrower';
  if (target.base === 'numeric') {
    const n = numericPrecision(target.typmod);
    return !n || n.precision - n.scale >= INT_DIGITS[source.kind]! ? undefined : 'the target numeric has too few integer digits';
  }
  if (target.base === 'float8' && source.kind !== 'bigint') return undefined;
  if (target.base === 'float4' && source.kind === 'smallint') return undefined;
  return familyChange(target);
}

function refusesDecimal(source: SourceType, target: TargetType): string | undefined {
  if (target.base !== 'numeric') return familyChange(target);
  const n = numericPrecision(target.typmod);
  if (!n) return undefined;
  if (source.precision === undefined || source.scale === undefined)
    return 'the source precision is unknown, so only an unconstrained numeric holds every value';
  if (n.scale < source.scale) return `the target keeps ${n.scale} decimal places and would round away the source's ${source.scale}`;
  if (n.precision - n.scale < source.precision - source.scale) return 'the target numeric has too few integer digits';
  return undefined;
}

function refusesCharacter(source: SourceType, target: TargetType): string | undefined {
  const allowed = source.kind === 'char' ? ['bpchar'] : ['varchar', 'text'];
  if (!allowed.includes(target.base)) {
    if (source.kind === 'char' && (target.base === 'varchar' || target.base === 'text'))
      return 'CHAR values carry their padding, which a varchar/text column would keep as trailing spaces';
    return familyChange(target);
  }
  const max = target.base === 'text' ? undefined : characterLength(target.typmod);
  // Redshift counts bytes and PostgreSQL characters, so n bytes always fit in n characters.
  if (max !== undefined && source.length !== undefined && max < source.length)
    return `the target holds ${max} characters and the source up to ${source.length} bytes`;
  return undefined;
}

function refusesExact(bases: string[]) {
  return (_source: SourceType, target: TargetType) => (bases.includes(target.base) ? undefined : familyChange(target));
}

function refusesTime(base: string) {
  return (_source: SourceType, target: TargetType) => {
    if (target.base !== base) return familyChange(target);
    const digits = secondsPrecision(target.typmod);
    return digits < 6 ? `the target keeps ${digits} fractional second digits and would round the source's microseconds` : undefined;
  };
}

function refusesInterval(fields: number) {
  return (_source: SourceType, target: TargetType) => {
    if (target.base !== 'interval') return familyChange(target);
    const shape = intervalShape(target.typmod);
    if ((shape.fields & fields) !== fields) return "the target interval's fields would drop part of the value";
    return shape.precision < 6 ? "the target interval would round the source's microseconds" : undefined;
  };
}

function familyChange(target: TargetType): string {
  return `a ${target.display} column cannot hold its values unchanged`;
}

const withLength = (name: string, length: number | undefined) => (length === undefined ? name : `${name}(${length})`);

export const redshiftTypes: RedshiftTypeSpec[] = [
  { kind: 'smallint', names: ['SMALLINT', 'INT2'], oids: [21], target: () => 'smallint', refuses: refusesInteger, notes: 'Text form as is.' },
  { kind: 'integer', names: ['INTEGER', 'INT', 'INT4'], oids: [23], target: () => 'integer', refuses: refusesInteger, notes: 'Text form as is.' },
  { kind: 'bigint', names: ['BIGINT', 'INT8'], oids: [20], target: () => 'bigint', refuses: refusesInteger, notes: 'Text form as is.' },
  {
    kind: 'decimal',
    names: ['DECIMAL(p,s)', 'NUMERIC(p,s)'],
    oids: [1700],
    target: (s) => (s.precision === undefined ? 'numeric' : `numeric(${s.precision},${s.scale})`),
    refuses: refusesDecimal,
    notes: 'Text form at its scale, up to 38 digits; PostgreSQL reads it without rounding.',
  },
  {
    kind: 'real',
    names: ['REAL', 'FLOAT4'],
    oids: [700],
    target: () => 'real',
    unload: (c) => `CAST(${c} AS DOUBLE PRECISION)`,
    refuses: refusesExact(['float4', 'float8']),
    notes:
      'Unloaded as DOUBLE PRECISION: with extra_float_digits 2 (set by ferry for the UNLOAD) a REAL prints only 8 significant digits, a DOUBLE PRECISION 17, and every float4 is exactly a float8. NaN and ±Infinity move.',
  },
  {
    kind: 'double',
    names: ['DOUBLE PRECISION', 'FLOAT8', 'FLOAT'],
    oids: [701],
    target: () => 'double precision',
    refuses: refusesExact(['float8']),
    notes:
      "Redshift's default extra_float_digits (0) prints 15 significant digits, which loses bits: ferry's UNLOAD session sets 2 (17 digits, exact). NaN and ±Infinity move.",
  },
  { kind: 'boolean', names: ['BOOLEAN', 'BOOL'], oids: [16], target: () => 'boolean', refuses: refusesExact(['bool']), notes: 'Text form `t`/`f`.' },
  {
    kind: 'char',
    names: ['CHAR(n)', 'CHARACTER(n)', 'NCHAR(n)', 'BPCHAR'],
    oids: [1042, 18],
    target: (s) => withLength('char', s.length),
    refuses: refusesCharacter,
    notes: 'Single-byte characters, padded with spaces to n; n bytes = n characters.',
  },
  {
    kind: 'varchar',
    names: ['VARCHAR(n)', 'CHARACTER VARYING(n)', 'NVARCHAR(n)', 'TEXT'],
    // A computed text value (a literal, a concatenation) may describe itself as text, name or unknown.
    oids: [1043, 25, 19, 705],
    target: (s) => withLength('varchar', s.length),
    refuses: refusesCharacter,
    notes:
      "Redshift's n counts bytes, PostgreSQL's characters, so VARCHAR(n) always fits varchar(n). UNLOAD's ESCAPE protects LF, CR, `|` and `\\`; NULL and '' stay distinct. TEXT is VARCHAR(256).",
  },
  { kind: 'date', names: ['DATE'], oids: [1082], target: () => 'date', refuses: refusesExact(['date']), notes: '4713 BC to 294276 AD, BC dates included.' },
  {
    kind: 'timestamp',
    names: ['TIMESTAMP', 'TIMESTAMP WITHOUT TIME ZONE'],
    oids: [1114],
    target: () => 'timestamp',
    refuses: refusesTime('timestamp'),
    notes: 'Microseconds; BC included.',
  },
  {
    kind: 'timestamptz',
    names: ['TIMESTAMPTZ', 'TIMESTAMP WITH TIME ZONE'],
    oids: [1184],
    target: () => 'timestamptz',
    refuses: refusesTime('timestamptz'),
    notes: 'Unloaded in UTC with its offset, so the instant is kept whatever either session’s TimeZone.',
  },
  {
    kind: 'time',
    names: ['TIME', 'TIME WITHOUT TIME ZONE'],
    oids: [1083],
    target: () => 'time',
    refuses: refusesTime('time'),
    notes: '00:00:00 to 24:00:00, microseconds.',
  },
  {
    kind: 'timetz',
    names: ['TIMETZ', 'TIME WITH TIME ZONE'],
    oids: [1266],
    target: () => 'timetz',
    refuses: refusesTime('timetz'),
    notes: 'Redshift stores TIMETZ in UTC and unloads it with `+00`; it arrives as that UTC time.',
  },
  {
    kind: 'intervalYearToMonth',
    names: ['INTERVAL YEAR TO MONTH'],
    oids: [1188],
    target: () => 'interval year to month',
    refuses: refusesInterval(intervalFields.yearToMonth),
    notes: 'Years and months.',
  },
  {
    kind: 'intervalDayToSecond',
    names: ['INTERVAL DAY TO SECOND'],
    oids: [1190],
    target: () => 'interval day to second',
    refuses: refusesInterval(intervalFields.dayToSecond),
    notes: 'Days, hours, minutes, seconds and microseconds.',
  },
  {
    kind: 'interval',
    names: ['INTERVAL (a computed value)'],
    oids: [1186],
    target: () => 'interval',
    refuses: refusesInterval(intervalFields.full),
    notes: 'An interval a query computes; it needs an unrestricted interval column.',
  },
  {
    kind: 'varbyte',
    names: ['VARBYTE(n)', 'VARBINARY(n)', 'BINARY VARYING(n)'],
    oids: [6551, 17],
    target: () => 'bytea',
    load: 'hex',
    refuses: refusesExact(['bytea']),
    notes:
      "UNLOAD writes plain hex (`00ff`), which COPY would read into bytea as the characters' bytes: ferry stages it as text and publishes `decode(…, 'hex')`. Up to 16 MB per value.",
  },
  {
    kind: 'super',
    names: ['SUPER'],
    oids: [4000],
    target: () => 'jsonb',
    unload: (c) => `JSON_SERIALIZE_TO_VARBYTE(${c})`,
    load: 'jsonHex',
    refuses: refusesExact(['jsonb']),
    notes:
      "UNLOAD writes SUPER as JSON and ignores NULL AS, so SQL NULL and JSON `null` would look alike, and its escaping of JSON text is not documented: ferry unloads JSON_SERIALIZE_TO_VARBYTE (hex of the JSON's UTF-8, NULL stays NULL) and publishes `convert_from(decode(…, 'hex'), 'UTF8')::jsonb`. jsonb normalizes the text (key order, whitespace, duplicate keys: last wins); a string holding `\\u0000` is refused by jsonb at publish.",
  },
  {
    kind: 'geometry',
    names: ['GEOMETRY'],
    // 3000 in pg_type; result descriptions say 3999 ("geometryhex").
    oids: [3000, 3999],
    target: () => 'geometry',
    refuses: (_s, t) =>
      t.base === 'geometry' ? undefined : `${familyChange(t)}; GEOMETRY needs PostGIS in the target (CREATE EXTENSION postgis) and a geometry column`,
    notes:
      "Hex EWKB (SRID included), which PostGIS's geometry input reads exactly; empty geometries move. A target column constrained to one geometry type or SRID refuses other values at load.",
  },
  {
    kind: 'geography',
    names: ['GEOGRAPHY'],
    oids: [3001],
    target: () => 'geography',
    refuses: (_s, t) =>
      t.base === 'geography' ? undefined : `${familyChange(t)}; GEOGRAPHY needs PostGIS in the target (CREATE EXTENSION postgis) and a geography column`,
    notes: 'Hex EWKB, read by PostGIS’s geography input.',
  },
  {
    kind: 'hllsketch',
    names: ['HLLSKETCH'],
    oids: [2935],
    target: () => 'text',
    refuses: (_s, t) => (t.base === 'text' || (t.base === 'varchar' && characterLength(t.typmod) === undefined) ? undefined : familyChange(t)),
    notes: 'Its text form: JSON for a sparse sketch, Base64 for a dense one. PostgreSQL has no HyperLogLog type, so it arrives as that text.',
  },
];

const byOid = new Map(redshiftTypes.flatMap((spec) => spec.oids.map((oid) => [oid, spec] as const)));
const byKind = new Map(redshiftTypes.map((spec) => [spec.kind, spec]));

export function redshiftType(kind: RedshiftKind): RedshiftTypeSpec {
  return byKind.get(kind)!;
}

/**
 * A result description's column type (OID and type modifier) as a Redshift type, or
 * undefined for a type outside Redshift's (ferry refuses the column).
 */
export function sourceTypeOf(oid: number, typmod: number): SourceType | undefined {
  const spec = byOid.get(oid);
  if (!spec) return undefined;
  const kind = spec.kind;
  if (kind === 'char' || kind === 'varchar' || kind === 'varbyte') {
    const length = characterLength(typmod);
    return length === undefined ? { kind } : { kind, length };
  }
  if (kind === 'decimal') {
    const n = numericPrecision(typmod);
    return n ? { kind, ...n } : { kind };
  }
  return { kind };
}

/** Redshift's spelling of a source type, for messages: `VARCHAR(200)`, `DECIMAL(38,10)`. */
export function formatSourceType(source: SourceType): string {
  const name = redshiftType(source.kind).names[0].replace(/\s*\(.*\)$/, '');
  if (source.kind === 'decimal') return source.precision === undefined ? name : `${name}(${source.precision},${source.scale})`;
  return withLength(name, source.length);
}
