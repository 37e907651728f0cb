import { WorkflowFailedError } from '@temporalio/client';
import { fingerprint } from './support/databases';
import { transferFixture } from './support/ferry';

// A value PostgreSQL refuses while a part loads: the run fails non-retryably, naming the part,
// the line, the column and the row's key (never the rest of the row), with the fix; the
// target keeps what it had, value for value. Both load methods.
describe.each(['copy', 'aws_s3'] as const)('a refused value, load method %s', (method) => {
  const env = transferFixture(`badval_${method}`, { awsS3Local: method === 'aws_s3' });

  const failure = async (table: string, unload: object) => {
    const err = await env.ferry
      .execute('tableTransfer', { source: { connection: 'redshift', table }, target: { connection: 'postgres', table }, load: { method }, unload }, 'badval')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause as unknown as { type: string; message: string; nonRetryable: boolean };
  };
  /** Runs the failing transfer and checks that the target is exactly as before. */
  const failsUnchanged = async (table: string, orderBy: string, unload: object = { compression: 'gzip' }) => {
    const before = await fingerprint(env.dst, table, orderBy);
    const cause = await failure(table, unload);
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

  // One part (PARALLEL OFF), so the line is known. Record 1 holds an escaped LF, an escaped
  // delimiter and an escaped backslash: had COPY counted physical lines, or the re-read
  // counted them differently, the message would name line 3 or row id=3. The column's name
  // holds ": ", which COPY's context prints unquoted. Uncompressed, so the re-read takes the
  // other path.
  it('records counted as COPY counts them, and a column named like punctuation', async () => {
    await env.src.query(`CREATE TABLE counted (id int, "a: b" text, note text)`);
    await env.src.query(`INSERT INTO counted VALUES (1, 'ok', E'two\\nlines | and \\\\'), (2, 'long', 'hush-2'), (3, 'x', 'n')`);
    await env.dst.query(`CREATE TABLE counted (id int PRIMARY KEY, "a: b" varchar(3), note text)`);
    await env.dst.query(`INSERT INTO counted VALUES (9, 'old', 'o')`);
    const message = await failsUnchanged('counted', 'id', { compression: 'none', parallel: false });
    expect(message).toMatch(
      /^part 000 cannot be loaded into public\.counted: column "a: b", row id=2 \(line 2 of the part\): value too long for type character varying\(3\)\. Fix: widen the target column \(ALTER TABLE public\.counted ALTER COLUMN "a: b" TYPE <a longer type>\)/,
    );
    expect(message).not.toContain('hush-2');
  });

  // Prepare refuses a source integer wider than its target column (TypeMismatch), so a
  // smallint overflows during a load only where the target computes the value itself.
  it('a smallint overflow: the row by its key and line, and no column guessed', async () => {
    await env.src.query(`CREATE TABLE ranged (id int, n int)`);
    await env.src.query(`INSERT INTO ranged VALUES (1, 5), (2, 20000), (3, 7)`);
    await env.dst.query(`CREATE TABLE ranged (id int PRIMARY KEY, n int, doubled smallint GENERATED ALWAYS AS (n * 2) STORED)`);
    await env.dst.query(`INSERT INTO ranged (id, n) VALUES (9, 1)`);
    const message = await failsUnchanged('ranged', 'id', { compression: 'gzip', parallel: false });
    expect(message).toBe(
      "part 000.gz cannot be loaded into public.ranged: row id=2 (line 2 of the part): smallint out of range. Fix: the target computes a value out of its type's range (a generated column, a default or a CHECK constraint): widen that type or change the expression",
    );
  });
});
