import { quoteIdent } from '@ferry/sql';

/** What is known about a value PostgreSQL refused while loading a part. */
export interface BadValue {
  part: string;
  /** The target, as people write it (`public.orders`). */
  table: string;
  /** SQLSTATE and PostgreSQL's message, which names the type (never the row). */
  code: string;
  reason: string;
  line?: number;
  column?: string;
  /** The refused row's key, when the target has a primary key and the part could be read. */
  key?: { column: string; value: string | null }[];
  /** The target database's encoding, for a character it cannot hold. */
  encoding?: string;
}

const MAX_KEY_TEXT = 64;
/** At most MAX_KEY_TEXT characters, counted whole: an emoji is never cut in half. */
const show = (v: string | null) => {
  if (v === null) return 'NULL';
  const characters = Array.from(v);
  return characters.length > MAX_KEY_TEXT ? `${characters.slice(0, MAX_KEY_TEXT).join('')}…` : v;
};

/**
 * `part 0002_part_00.gz cannot be loaded into public.orders: column "city", row id=42 (line 3
 * of the part): value too long for type character varying(5). Fix: …`. The cause first, then
 * where, then the fix; of the row only its key, so no other value of it reaches history or logs.
 */
export function badValueMessage(b: BadValue): string {
  const where = [
    b.column && `column ${JSON.stringify(b.column)}`,
    b.key?.length &&
      `row ${b.key.length === 1 ? `${b.key[0].column}=${show(b.key[0].value)}` : `(${b.key.map((k) => k.column).join(', ')})=(${b.key.map((k) => show(k.value)).join(', ')})`}`,
  ].filter(Boolean);
  const line = b.line === undefined ? '' : ` (line ${b.line} of the part)`;
  return `part ${b.part} cannot be loaded into ${b.table}: ${where.length ? `${where.join(', ')}${line}: ` : line ? `${line.slice(2, -1)}: ` : ''}${b.reason}. Fix: ${badValueFix(b)}`;
}

function badValueFix(b: BadValue): string {
  const column = b.column ? quoteIdent(b.column) : '<column>';
  switch (b.code) {
    case '22001':
      return `widen the target column (ALTER TABLE ${b.table} ALTER COLUMN ${column} TYPE <a longer type>), or shorten the value in source.query`;
    case '22003':
      // COPY names the column of every value it reads; without one, the value was computed afterwards.
      if (!b.column && b.line !== undefined)
        return "the target computes a value out of its type's range (a generated column, a default or a CHECK constraint): widen that type or change the expression";
      return `give the target column a type with a larger range (ALTER TABLE ${b.table} ALTER COLUMN ${column} TYPE …), or convert the value in source.query`;
    case '23502':
      return `the source has NULL there: allow NULL in the target (ALTER TABLE ${b.table} ALTER COLUMN ${column} DROP NOT NULL), or replace NULL in source.query`;
    case '22P05':
      return `the target database's encoding${b.encoding ? ` (${b.encoding})` : ''} cannot hold this character: load into a database created with ENCODING 'UTF8', or replace the character in source.query`;
    case '23505':
      return 'the source has this key more than once (Redshift does not enforce keys): remove the duplicates in the source or in source.query';
    default:
      return 'fix the value in the source, or convert it in source.query into one the target column accepts';
  }
}
