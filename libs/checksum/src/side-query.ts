/**
 * Segment checksums, computed inside each database: rows are put into buckets by the md5 of
 * their key's canonical text (a bucket at level L is the first L hex digits), and each
 * bucket is summarized by its row count and the sum of a 60-bit hash of each row's
 * canonical text — order-independent, so both sides agree without sorting. Only these
 * summaries leave the databases, and the keys of rows in buckets that differ.
 */
import { statement, type Statement } from '@ferry/sql';
import type { Segments } from '@ferry/contract';

/** `postgresUtf8`: PostgreSQL in a UTF-8 database, whose text is hashed as it is (the same bytes `convert_to` would give). */
export type Dialect = 'redshift' | 'postgres' | 'postgresUtf8';

export interface SideColumn {
  name: string;
  /** Canonical text of the value on this side. */
  expr: string;
  /** The text may contain the separator: it is length-prefixed in the row's text. */
  freeText?: boolean;
  /** The most bytes its canonical text can have (from the source type); undefined: no bound known. */
  maxBytes?: number;
}

/** One side of a comparison as SQL sees it: the rows (`from`, `where`) and the canonical text of their key and columns. */
export interface SideQuery {
  dialect: Dialect;
  /** What follows FROM. */
  from: string;
  where?: string;
  key: SideColumn[];
  columns: SideColumn[];
}

export interface LeafRow {
  key: Record<string, string | null>;
  keyText: string;
  hash: string;
  columns: Record<string, string>;
}

export function keyText(side: Pick<SideQuery, 'dialect' | 'key'>): string {
  if (side.key.length === 0) return `''`;
  return side.key.map((c) => textPart(side.dialect, c)).join(` || '|' || `);
}

/**
 * The md5 of a text's UTF-8 bytes. Redshift stores UTF-8 only; a PostgreSQL target may be
 * LATIN1 or SQL_ASCII, whose md5(text) would hash other bytes for the same characters, so its
 * text is converted first (in a UTF-8 database that changes nothing, so checksums computed
 * before stay comparable).
 */
function md5Of(dialect: Dialect, text: string): string {
  if (dialect === 'redshift') return `MD5(${text})`;
  return dialect === 'postgresUtf8' ? `md5(${text})` : `md5(convert_to(${text}, 'UTF8'))`;
}

/** Characters of a text, counted in its UTF-8 form: SQL_ASCII's length() would count bytes. */
function lengthOf(dialect: Dialect, text: string): string {
  if (dialect === 'redshift') return `LENGTH(${text})`;
  return dialect === 'postgresUtf8' ? `length(${text})` : `length(convert_to(${text}, 'UTF8'), 'UTF8')`;
}

/** A column's part of a joined text: free text length-prefixed (`5:hello`) so that no two different values join alike, NULL as `N`. */
function textPart(dialect: Dialect, c: SideColumn): string {
  return c.freeText ? `COALESCE(CAST(${lengthOf(dialect, c.expr)} AS VARCHAR) || ':' || ${c.expr}, 'N')` : `COALESCE(${c.expr}, 'N')`;
}

/**
 * Redshift's MD5 takes a VARCHAR, at most 65,535 bytes, so a row's joined text must stay below
 * that whatever its columns hold: the longest columns are hashed on their own first (an md5 is
 * 32 characters), and a table with so many columns that even that is too long is hashed in
 * groups. Both sides decide this from the source types alone, so they build the same text.
 */
export const MAX_JOINED_BYTES = 60_000;
const HASHED_BYTES = 32;
/** Shorter parts are not worth an md5 each: many of them share one in groups instead. */
const OWN_HASH_ABOVE = 1024;

/** Bytes a column's part of the joined text may take: free text carries its length prefix (`65535:`). */
const partBytes = (c: SideColumn) => (c.maxBytes === undefined ? Infinity : c.maxBytes + (c.freeText ? 6 : 0));

/** A column's part as its own md5 (NULL still `N`): fixed length, so no prefix is needed. */
const hashedPart = (dialect: Dialect, c: SideColumn) => `COALESCE(${md5Of(dialect, c.expr)}, 'N')`;

/** The parts of a row's text, the longest (over 1 KB) hashed on their own until the whole fits MAX_JOINED_BYTES (with its separators). */
export function rowParts(dialect: Dialect, columns: SideColumn[]): { sql: string; bytes: number }[] {
  const parts = columns.map((c) => ({ sql: textPart(dialect, c), bytes: partBytes(c) }));
  const total = () => parts.reduce((n, p) => n + p.bytes + 1, 0);
  const longestFirst = columns.map((_, i) => i).sort((a, b) => (parts[a].bytes === parts[b].bytes ? a - b : parts[b].bytes > parts[a].bytes ? 1 : -1));
  for (const i of longestFirst) {
    if (total() <= MAX_JOINED_BYTES || parts[i].bytes <= OWN_HASH_ABOVE) break;
    parts[i] = { sql: hashedPart(dialect, columns[i]), bytes: HASHED_BYTES };
  }
  return parts;
}

/** Consecutive parts, each run short enough for one md5. */
function groups(parts: { sql: string; bytes: number }[]): string[][] {
  const out: string[][] = [[]];
  let size = 0;
  for (const p of parts) {
    if (size + p.bytes + 1 > MAX_JOINED_BYTES && out[out.length - 1].length > 0) {
      out.push([]);
      size = 0;
    }
    out[out.length - 1].push(p.sql);
    size += p.bytes + 1;
  }
  return out;
}

/** PostgreSQL passes at most 100 arguments to a function. */
const MAX_ARGUMENTS = 90;

/**
 * Texts joined by `|`. Redshift has only `||`; PostgreSQL's concat_ws builds the same text in
 * one call instead of one per `||` (its parts are never NULL: each is COALESCEd to `N`), in
 * nested calls past its argument limit.
 */
function joinTexts(dialect: Dialect, sqls: string[]): string {
  if (dialect === 'redshift' || sqls.length === 1) return sqls.join(` || '|' || `);
  if (sqls.length <= MAX_ARGUMENTS) return `concat_ws('|', ${sqls.join(', ')})`;
  const chunks: string[] = [];
  for (let i = 0; i < sqls.length; i += MAX_ARGUMENTS) chunks.push(joinTexts(dialect, sqls.slice(i, i + MAX_ARGUMENTS)));
  return joinTexts(dialect, chunks);
}

/**
 * One md5 over the row's canonical texts joined by `|`, NULL as `N`: texts that may hold
 * any character are length-prefixed (`5:hello`), so no two different rows join alike; the
 * others (numbers, times, hex, md5s) never contain `|` or equal `N`. Past MAX_JOINED_BYTES,
 * the md5 of each group's text, joined.
 */
export function rowHash(side: Pick<SideQuery, 'dialect' | 'columns'>): string {
  if (side.columns.length === 0) return md5Of(side.dialect, `''`);
  const joined = (sqls: string[]) => joinTexts(side.dialect, sqls);
  const byGroup = groups(rowParts(side.dialect, side.columns));
  if (byGroup.length === 1) return md5Of(side.dialect, joined(byGroup[0]));
  return md5Of(side.dialect, joined(byGroup.map((g) => md5Of(side.dialect, joined(g)))));
}

/** The first 60 bits of a row hash as a number: what a segment's sum adds up. */
function hashValue(dialect: Dialect, hash: string): string {
  return dialect === 'redshift'
    ? `CAST(STRTOL(SUBSTRING(${hash}, 1, 15), 16) AS DECIMAL(38,0))`
    : `('x' || substring(${hash}, 1, 15))::bit(60)::bigint::numeric`;
}

/** A row's segment `level` hex digits deep: the start of the md5 of its key's canonical text. */
export function bucketOf(side: Pick<SideQuery, 'dialect' | 'key'>, level: number): string {
  return `SUBSTRING(${md5Of(side.dialect, keyText(side))}, 1, ${level})`;
}

function bucketCondition(side: SideQuery, prefix: string): string {
  return [side.where, prefix ? `SUBSTRING(${md5Of(side.dialect, keyText(side))}, 1, ${prefix.length}) = $1` : undefined].filter(Boolean).join(' AND ');
}

/** Count and hash sum of each bucket `level` digits long under `prefix` (the whole table as bucket '' without a key). */
export function segmentsStatement(side: SideQuery, level: number, prefix = ''): Statement {
  const bucketLevel = side.key.length === 0 ? 0 : level;
  const where = bucketCondition(side, prefix);
  const rows = `SELECT ${bucketOf(side, bucketLevel)} AS bucket, ${rowHash(side)} AS h FROM ${side.from}${where ? ` WHERE ${where}` : ''}`;
  return statement(
    `SELECT bucket, COUNT(*) AS rows, SUM(${hashValue(side.dialect, 'h')}) AS sum FROM (${rows}) AS ferry_rows GROUP BY bucket`,
    prefix ? [prefix] : [],
  );
}

export type SegmentRow = { bucket: string | null; rows: string; sum: string | null };

export function toSegments(rows: SegmentRow[]): Segments {
  return Object.fromEntries(rows.map((r) => [r.bucket ?? '', { rows: Number(r.rows), sum: String(r.sum ?? '0') }]));
}

/** What identifies and describes a row for a diff: key values, the key text, the row hash and each column's hash. */
export function leafSelectList(side: SideQuery): string {
  const keys = side.key.map((k, i) => `${k.expr} AS k${i}`);
  const cols = side.columns.map((c, i) => `COALESCE(${md5Of(side.dialect, c.expr)}, 'N') AS c${i}`);
  return [...keys, `${keyText(side)} AS kt`, `${rowHash(side)} AS h`, ...cols].join(', ');
}

/** The rows of one bucket: key values, row hash and per-column hashes (which columns differ). */
export function leafRowsStatement(side: SideQuery, prefix: string): Statement {
  const where = [side.where, `SUBSTRING(${md5Of(side.dialect, keyText(side))}, 1, ${prefix.length}) = $1`].filter(Boolean).join(' AND ');
  return statement(`SELECT ${leafSelectList(side)} FROM ${side.from} WHERE ${where}`, [prefix]);
}

export function toLeafRows(side: SideQuery, rows: Record<string, string | null>[]): LeafRow[] {
  return rows.map((r) => ({
    key: Object.fromEntries(side.key.map((k, i) => [k.name, r[`k${i}`]])),
    keyText: r.kt!,
    hash: r.h!,
    columns: Object.fromEntries(side.columns.map((c, i) => [c.name, r[`c${i}`]!])),
  }));
}
