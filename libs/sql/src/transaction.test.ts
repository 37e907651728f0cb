import { statement } from './statement';
import { inTransaction, runAll, type Session } from './transaction';

function recorder(failOn?: RegExp): Session & { log: string[] } {
  const log: string[] = [];
  return {
    log,
    async query(text: string, values?: unknown[]) {
      log.push(values ? `${text} ${JSON.stringify(values)}` : text);
      if (failOn?.test(text)) throw new Error(`failed: ${text}`);
      return { rows: [], rowCount: 0 };
    },
  };
}

describe('the transaction runner', () => {
  it('BEGIN, the statements with their values, COMMIT', async () => {
    const s = recorder();
    await inTransaction(s, (tx) => runAll(tx, [statement('LOCK TABLE t'), statement('INSERT INTO t VALUES ($1)', [1])]));
    expect(s.log).toEqual(['BEGIN', 'LOCK TABLE t', 'INSERT INTO t VALUES ($1) [1]', 'COMMIT']);
  });

  it('a failing statement rolls back, runs nothing after it, and rethrows its error', async () => {
    const s = recorder(/^INSERT/);
    await expect(inTransaction(s, (tx) => runAll(tx, [statement('INSERT INTO t VALUES (1)'), statement('DELETE FROM u')]))).rejects.toThrow(
      'failed: INSERT INTO t VALUES (1)',
    );
    expect(s.log).toEqual(['BEGIN', 'INSERT INTO t VALUES (1)', 'ROLLBACK']);
  });

  it('a failing COMMIT rolls back too; a failing ROLLBACK does not hide the first error', async () => {
    const s = recorder(/^(COMMIT|ROLLBACK)/);
    await expect(inTransaction(s, async () => 42)).rejects.toThrow('failed: COMMIT');
    expect(s.log).toEqual(['BEGIN', 'COMMIT', 'ROLLBACK']);
  });

  it('opens with the isolation level asked for', async () => {
    const s = recorder();
    expect(await inTransaction(s, async () => 'done', { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ' })).toBe('done');
    expect(s.log).toEqual(['BEGIN ISOLATION LEVEL REPEATABLE READ', 'COMMIT']);
  });
});
