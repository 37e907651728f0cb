import type { RepeatedKey } from './publish-modes';

// What publishing can meet that no retry changes: the caller words these failures (the
// target was not changed), and any other error is the session's, to be retried.

/** The database's error, as node-postgres reports it. */
export type DatabaseError = Error & { code: string; detail?: string; constraint?: string };

/** The target refused the staged rows: a data exception (class 22) or an integrity violation (class 23). */
export class RowsRefused extends Error {
  constructor(readonly error: DatabaseError) {
    super(error.message);
    this.name = 'RowsRefused';
  }
}

/** `err` as RowsRefused when it is a refusal of the rows, unchanged otherwise. */
export function refusalOf(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code) ? new RowsRefused(err as DatabaseError) : err;
}

/** An upsert's key the staged rows repeat or hold a NULL in: found before the target is touched. */
export class UpsertKeyRepeated extends Error {
  constructor(readonly key: RepeatedKey) {
    super(`the staged rows repeat an upsert key`);
    this.name = 'UpsertKeyRepeated';
  }
}
