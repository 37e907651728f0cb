import { WorkflowFailedError } from '@temporalio/client';
import { fingerprint } from './support/databases';
import { transferFixture } from './support/ferry';

// A value PostgreSQL refuses while a part loads: the run fails non-retryably, naming the part,
// the line, the column and the row's key (never the rest of the row), with the fix; the
// target keeps what it had, value for value. Both load methods.
describe.each(['copy', 'aws_s3'] as const)('a refused value, load method %s', (method) => {
  const env = transferFixture(`badval_${method}`, { awsS3Local: method === 'aws_s3' });

  const failure = async (table: string) => {
    const err = await env.ferry
      .execute(
        'tableTransfer',
        { source: { connection: 'redshift', table }, target: { connection: 'postgres', table }, load: { method }, unload: { compression: 'gzip' } },
        'badval',
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause as unknown as { type: string; message: string; nonRetryable: boolean };
  };
  /** Runs the failing transfer and checks that the target is exactly as before. */
  const failsUnchanged = async (table: string, orderBy: string) => {
    const before = await fingerprint(env.dst, table, orderBy);
    const cause = await failure(table);
    expect(await fingerprint(env.dst, table, orderBy)).toEqual(before);
    expect(before.count).toBeGreaterThan(0);
    expect([cause.type, cause.nonRetryable]).toEqual(['BadData', true]);
    return cause.message;
  };

  it('a value too long for its column: column, key, line and the ALTER that widens it', async () => {
    await env.src.query(`CREATE TABLE too_long (id int, name text, secret text)`);
    await env.src.query(`INSERT INTO too_long VALUES (1, 'abc', 's1'), (2, 'abcdef', 'hush-2'), (3, 'x', 's3')`);
    await env.dst.query(`CREATE TABLE too_long (id int PRIMARY KEY, name varchar(3), secret text)`);
    await env.dst.query(`INSERT INTO too_long VALUES (9, 'old', 'o')`);
    const message = await failsUnchanged('too_long', 'id');
    expect(message).toMatch(
      /^part \d{4}_part_00\.gz cannot be loaded into public\.too_long: column "name", row id=2 \(line \d+ of the part\): value too long for type character varying\(3\)\. Fix: widen the target column \(ALTER TABLE public\.too_long ALTER COLUMN "name" TYPE <a longer type>\)/,
    );
    // Of the row, only its key: not the refused value, not its other columns.
    expect(message).not.toContain('abcdef');
    expect(message).not.toContain('hush-2');
  });

  it('a NULL into a NOT NULL column, and a composite key', async () => {
    await env.src.query(`CREATE TABLE no_null (a int, b text, note text)`);
    await env.src.query(`INSERT INTO no_null VALUES (1, 'x', 'n'), (1, 'y|z', NULL)`);
    await env.dst.query(`CREATE TABLE no_null (a int, b text, note text NOT NULL, PRIMARY KEY (a, b))`);
    await env.dst.query(`INSERT INTO no_null VALUES (0, 'old', 'o')`);
    const message = await failsUnchanged('no_null', 'a, b');
    expect(message).toMatch(/column "note", row \(a, b\)=\(1, y\|z\) \(line \d+ of the part\): null value in column "note"/);
    expect(message).toContain('Fix: the source has NULL there: allow NULL in the target (ALTER TABLE public.no_null ALTER COLUMN "note" DROP NOT NULL)');
  });
});
