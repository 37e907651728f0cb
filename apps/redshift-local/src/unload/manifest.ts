import type { ColumnDescription } from '../protocol/frames';
import { REDSHIFT_OID } from '../types/oids';
import type { UnloadOptions } from './options';
import type { WrittenPart } from './writer';

/**
 * The manifest UNLOAD writes to `<prefix>manifest`: the URL of every file and, with
 * VERBOSE, each file's size and record count, totals, the columns and the author.
 */
export function buildManifest(bucket: string, parts: WrittenPart[], columns: ColumnDescription[], o: UnloadOptions): string {
  if (o.manifest === 'plain') return JSON.stringify({ entries: parts.map((p) => ({ url: `s3://${bucket}/${p.key}` })) });
  return JSON.stringify({
    entries: parts.map((p) => ({ url: `s3://${bucket}/${p.key}`, meta: { content_length: p.bytes, record_count: p.rows } })),
    schema: { elements: columns.map((c) => ({ name: c.name, type: redshiftType(c) })) },
    meta: { content_length: parts.reduce((n, p) => n + p.bytes, 0), record_count: parts.reduce((n, p) => n + p.rows, 0) },
    author: { name: 'Amazon Redshift', version: '1.0.0' },
  });
}

// Redshift's type OIDs (columns arrive mapped, see types/oids.ts) → the names Redshift
// writes (its format_type spelling, as SVV_COLUMNS.data_type shows them).
const BASE: Record<number, string> = {
  16: 'boolean',
  [REDSHIFT_OID.VARBYTE]: 'binary varying',
  [REDSHIFT_OID.SUPER]: 'super',
  [REDSHIFT_OID.GEOMETRY_RESULT]: 'geometry',
  [REDSHIFT_OID.GEOGRAPHY]: 'geography',
  [REDSHIFT_OID.HLLSKETCH]: 'hllsketch',
  [REDSHIFT_OID.INTERVAL_Y2M]: 'interval year to month',
  [REDSHIFT_OID.INTERVAL_D2S]: 'interval day to second',
  1186: 'interval',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  25: 'character varying',
  700: 'real',
  701: 'double precision',
  1042: 'character',
  1043: 'character varying',
  1082: 'date',
  1083: 'time without time zone',
  1114: 'timestamp without time zone',
  1184: 'timestamp with time zone',
  1266: 'time with time zone',
  1700: 'numeric',
};

/** Type names as Redshift spells them, with length for CHAR/VARCHAR and precision/scale for NUMERIC. */
function redshiftType(c: ColumnDescription): Record<string, unknown> {
  const base = BASE[c.typeOid] ?? 'character varying';
  if ((c.typeOid === 1042 || c.typeOid === 1043) && c.typeModifier > 4) return { base, max_length: c.typeModifier - 4 };
  if (c.typeOid === 25) return { base, max_length: 65535 };
  if (c.typeOid === 1700 && c.typeModifier > 4) {
    const m = c.typeModifier - 4;
    return { base, precision: m >> 16, scale: m & 0xffff };
  }
  return { base };
}
