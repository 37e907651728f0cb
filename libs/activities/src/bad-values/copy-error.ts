/**
 * Where PostgreSQL says a COPY stopped. Its error context reads `COPY <table>, line N, column
 * C: "value"` (or `COPY <table>, line N` when the whole line failed, e.g. a character the
 * database's encoding cannot hold), also inside aws_s3.table_import_from_s3's context; a
 * NOT NULL violation names the column in the error's own field instead.
 */
export interface CopyErrorPlace {
  /** The record of the part, counted from 1 as COPY counts them. */
  line?: number;
  column?: string;
}

export function copyErrorPlace(err: { where?: string; column?: string }): CopyErrorPlace {
  const match = /COPY [^\n]*?, line (\d+)(?:, column ([^:\n]+?))?(?::|$|\n)/m.exec(err.where ?? '');
  const column = err.column ?? match?.[2];
  return { ...(match && { line: Number(match[1]) }), ...(column && { column }) };
}
