import { WorkflowFailedError } from '@temporalio/client';
import { faultHarness, type FaultHarness } from './harness';

describe('a part with a malformed row', () => {
  let h: FaultHarness;
  beforeAll(async () => {
    h = await faultHarness('malformed');
    await h.startWorker();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('fails non-retryably naming the part and line, target untouched', async () => {
    await h.src.query(`CREATE TABLE t (id text)`);
    await h.src.query(`INSERT INTO t SELECT g::text FROM generate_series(1, 10) g`);
    await h.src.query(`INSERT INTO t VALUES ('eleven')`);
    // A text value of unknown length passes prepare's type check; 'eleven' does not fit the target.
    await h.dst.query(`CREATE TABLE t (id varchar(3))`);
    await h.dst.query(`INSERT INTO t VALUES ('42')`);
    const handle = await h.start({
      source: { connection: 'redshift', table: 't' },
      target: { connection: 'postgres', table: 't' },
      unload: { parallel: false },
    });
    const err = await h.result(handle).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause as unknown as { message: string; type: string; nonRetryable: boolean };
    expect(cause.type).toBe('BadData');
    expect(cause.nonRetryable).toBe(true);
    // The target has no primary key: the column and the line locate the value.
    expect(cause.message).toMatch(
      /^part 000\.gz cannot be loaded into public\.t: column "id" \(line 11 of the part\): value too long for type character varying\(3\)\. Fix: widen the target column/,
    );
    expect((await h.dst.query('SELECT id FROM t')).rows).toEqual([{ id: '42' }]);
  });
});
