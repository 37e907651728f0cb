/**
 * Where PostgreSQL says a COPY stopped. Its error context reads `COPY <table>, line N, column
 * C: "value"` (or `COPY <table>, line N: "record"` when the row failed after its fields were
 * read, e.g. a generated column out of range, and `COPY <table>, line N` for a character the
 * database's encoding cannot hold), also as the first line of aws_s3.table_import_from_s3's
 * context; a NOT NULL violation names the column in the error's own field instead.
 */
export interface CopyErrorPlace {
  /** The record of the part, counted from 1 as COPY counts them. */
  line?: number;
  column?: string;
}

/** What the COPY loaded: the table as COPY names it (without its schema) and the columns it read. */
export interface CopyInto {
  table: string;
  columns: readonly string[];
}

/**
 * The context prints names as they are, unquoted, so a name may itself hold `, ` or `: `: the
 * context is matched against the names COPY was given, never split on punctuation.
 */
export function copyErrorPlace(err: { where?: string; column?: string }, into: CopyInto): CopyErrorPlace {
  const prefix = `COPY ${into.table}, line `;
  const context = (err.where ?? '').split('\n').find((l) => l.startsWith(prefix));
  const found = context === undefined ? null : /^(\d+)(?:, column (.*))?/.exec(context.slice(prefix.length));
  const named = found?.[2];
  // The longest name that fits: of columns `a` and `a: b`, `column a: b: "x"` is the second.
  const fits = named === undefined ? [] : into.columns.filter((c) => named === c || named.startsWith(`${c}: `));
  const column = err.column ?? fits.sort((x, y) => y.length - x.length)[0];
  return { ...(found && { line: Number(found[1]) }), ...(column && { column }) };
}
