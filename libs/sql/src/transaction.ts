import type { Statement } from './statement';

/** What a runner needs of a database session; node-postgres' Client and PoolClient fit. */
export interface Session {
  query<R extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

/** Runs one planned statement. */
export async function run<R extends object = Record<string, unknown>>(session: Session, s: Statement): Promise<QueryResult<R>> {
  const result = await session.query<R>(s.text, s.values ? [...s.values] : undefined);
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

/** Runs planned statements in order, stopping at the first failure. */
export async function runAll(session: Session, statements: readonly Statement[]): Promise<void> {
  for (const s of statements) await run(session, s);
}

export interface TransactionOptions {
  /** The statement that opens it: `BEGIN` unless an isolation level is asked for. */
  begin?: 'BEGIN' | 'BEGIN ISOLATION LEVEL REPEATABLE READ';
  /** How it ends when `work` succeeds: COMMIT, or ROLLBACK for a trial that must change nothing (`ferry doctor`). */
  end?: 'COMMIT' | 'ROLLBACK';
}

/**
 * The one way ferry opens a transaction: BEGIN, `work`, COMMIT; on any failure of `work` or
 * of the COMMIT, ROLLBACK (whose own failure, e.g. on a connection already lost, is ignored)
 * and the original error rethrown. `work` may return early without committing by throwing.
 */
export async function inTransaction<T>(session: Session, work: (tx: Session) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  await session.query(options.begin ?? 'BEGIN');
  try {
    const result = await work(session);
    await session.query(options.end ?? 'COMMIT');
    return result;
  } catch (err) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
