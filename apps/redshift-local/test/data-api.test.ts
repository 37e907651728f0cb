import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  RedshiftDataClient,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-redshift-data';
import { bucket, keys, redshiftLocal, uniquePrefix } from './support';

type RL = Awaited<ReturnType<typeof redshiftLocal>>;

// The Data API as the AWS SDK speaks it, against redshift-local's endpoint (AWS, "Amazon
// Redshift Data API Reference"): statements run asynchronously, are described, paged, cancelled.
describe('the Redshift Data API of redshift-local', () => {
  let rl: RL;
  let api: RedshiftDataClient;
  const where = () => ({ ClusterIdentifier: 'local', Database: rl.database, DbUser: process.env.PGUSER ?? 'postgres' });

  beforeAll(async () => {
    rl = await redshiftLocal({ dataApiPort: 0 });
    api = new RedshiftDataClient({
      endpoint: `http://127.0.0.1:${rl.dataApiPort}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const db = await rl.connect();
    await db.query(`CREATE TABLE t (id int, name varchar(20), amount numeric(10,2), ok boolean, ratio float8)`);
    await db.query(`INSERT INTO t SELECT g, 'n' || g, g * 1.25, g % 2 = 0, g / 4.0 FROM generate_series(1, 2500) g`);
  });
  afterAll(async () => {
    api?.destroy();
    await rl?.close();
  });

  /** Polls DescribeStatement until the statement is no longer queued or running. */
  const finished = async (id: string) => {
    for (;;) {
      const d = await api.send(new DescribeStatementCommand({ Id: id }));
      if (!['SUBMITTED', 'PICKED', 'STARTED'].includes(d.Status!)) return d;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('runs a statement asynchronously, describes it, and pages its result as typed fields', async () => {
    const { Id } = await api.send(new ExecuteStatementCommand({ ...where(), Sql: 'SELECT id, name, amount, ok, ratio FROM t ORDER BY id' }));
    expect(Id).toMatch(/^[a-z0-9]{8}(-[a-z0-9]{4}){3}-[a-z0-9]{12}$/);
    const d = await finished(Id!);
    expect(d).toMatchObject({ Status: 'FINISHED', HasResultSet: true, ResultRows: 2500, Database: rl.database, ClusterIdentifier: 'local' });
    expect(d.Duration).toBeGreaterThan(0);
    const first = await api.send(new GetStatementResultCommand({ Id }));
    expect(first.TotalNumRows).toBe(2500);
    expect(first.ColumnMetadata!.map((c) => [c.name, c.typeName])).toEqual([
      ['id', 'int4'],
      ['name', 'varchar'],
      ['amount', 'numeric'],
      ['ok', 'bool'],
      ['ratio', 'float8'],
    ]);
    expect(first.Records![0]).toEqual([{ longValue: 1 }, { stringValue: 'n1' }, { stringValue: '1.25' }, { booleanValue: false }, { doubleValue: 0.25 }]);
    let rows = first.Records!.length;
    for (let token = first.NextToken; token;) {
      const page = await api.send(new GetStatementResultCommand({ Id, NextToken: token }));
      rows += page.Records!.length;
      token = page.NextToken;
    }
    expect(rows).toBe(2500);
  });

  it('reports a failed statement with the database error, and unknown ids and missing fields as the service does', async () => {
    const { Id } = await api.send(new ExecuteStatementCommand({ ...where(), Sql: 'SELECT nope FROM t' }));
    const d = await finished(Id!);
    expect(d.Status).toBe('FAILED');
    expect(d.Error).toMatch(/column "nope" does not exist/);
    await expect(api.send(new DescribeStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(api.send(new ExecuteStatementCommand({ Database: rl.database, Sql: 'SELECT 1' }))).rejects.toBeInstanceOf(ValidationException);
    await expect(api.send(new GetStatementResultCommand({ Id }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('returns the same statement for a repeated ClientToken instead of running it twice', async () => {
    const input = { ...where(), Sql: 'INSERT INTO t (id) VALUES (-1)', ClientToken: `token-${rl.database}` };
    const a = await api.send(new ExecuteStatementCommand(input));
    const b = await api.send(new ExecuteStatementCommand(input));
    expect(b.Id).toBe(a.Id);
    expect((await finished(a.Id!)).ResultRows).toBe(1);
    const { Id } = await api.send(new ExecuteStatementCommand({ ...where(), Sql: 'SELECT count(*) FROM t WHERE id = -1' }));
    await finished(Id!);
    expect((await api.send(new GetStatementResultCommand({ Id }))).Records).toEqual([[{ longValue: 1 }]]);
  });

  it('keeps a session between statements (SessionKeepAliveSeconds, SessionId), binds named parameters, and describes column modifiers', async () => {
    const first = await api.send(
      new ExecuteStatementCommand({ ...where(), Sql: `CREATE TEMP TABLE kept (v varchar(7), n numeric(9,3))`, SessionKeepAliveSeconds: 30 }),
    );
    expect(first.SessionId).toMatch(/^[a-z0-9-]{36}$/);
    expect((await finished(first.Id!)).SessionId).toBe(first.SessionId);
    const insert = await api.send(
      new ExecuteStatementCommand({
        SessionId: first.SessionId,
        Sql: `INSERT INTO kept VALUES (:v, :n::numeric)`,
        Parameters: [
          { name: 'v', value: "it's" },
          { name: 'n', value: '1.5' },
        ],
      }),
    );
    expect((await finished(insert.Id!)).Status).toBe('FINISHED');
    const read = await api.send(
      new ExecuteStatementCommand({ SessionId: first.SessionId, Sql: `SELECT v, n FROM kept WHERE v = :v`, Parameters: [{ name: 'v', value: "it's" }] }),
    );
    await finished(read.Id!);
    const result = await api.send(new GetStatementResultCommand({ Id: read.Id }));
    expect(result.Records).toEqual([[{ stringValue: "it's" }, { stringValue: '1.500' }]]);
    expect(result.ColumnMetadata!.map((c) => [c.typeName, c.length, c.precision, c.scale])).toEqual([
      ['varchar', 7, undefined, undefined],
      ['numeric', undefined, 9, 3],
    ]);
    // Without the session, the temporary table is not there.
    const elsewhere = await api.send(new ExecuteStatementCommand({ ...where(), Sql: 'SELECT * FROM kept' }));
    expect((await finished(elsewhere.Id!)).Status).toBe('FAILED');
    await expect(api.send(new ExecuteStatementCommand({ SessionId: 'no-such-session', Sql: 'SELECT 1' }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('runs a batch in one transaction, each statement with its own id and result', async () => {
    const { Id } = await api.send(
      new BatchExecuteStatementCommand({ ...where(), Sqls: ["SET TimeZone TO 'UTC'", "SELECT current_setting('TimeZone') AS tz", 'SELECT 1/0'] }),
    );
    const d = await finished(Id!);
    expect(d.Status).toBe('FAILED');
    expect(d.SubStatements!.map((s) => [s.Id, s.Status])).toEqual([
      [`${Id}:1`, 'ABORTED'],
      [`${Id}:2`, 'ABORTED'],
      [`${Id}:3`, 'FAILED'],
    ]);
    const ok = await api.send(new BatchExecuteStatementCommand({ ...where(), Sqls: ["SET TimeZone TO 'UTC'", "SELECT current_setting('TimeZone') AS tz"] }));
    expect((await finished(ok.Id!)).Status).toBe('FINISHED');
    expect((await api.send(new GetStatementResultCommand({ Id: `${ok.Id}:2` }))).Records).toEqual([[{ stringValue: 'UTC' }]]);
  });

  it('runs an UNLOAD as a client would, recorded in SYS_UNLOAD_HISTORY, and cancels a running statement (ABORTED)', async () => {
    const prefix = uniquePrefix('data-api');
    const unload = `UNLOAD ('SELECT id, name FROM t') TO 's3://${bucket}/${prefix}' IAM_ROLE 'arn:aws:iam::123456789012:role/unload' MANIFEST VERBOSE`;
    const { Id } = await api.send(new ExecuteStatementCommand({ ...where(), Sql: unload }));
    expect((await finished(Id!)).Status).toBe('FINISHED');
    expect(await keys(prefix)).toContain('manifest');
    const db = await rl.connect();
    const history = async () =>
      (
        await db.query(
          `SELECT status, unloaded_location, unloaded_rows::int AS rows, unloaded_files_count::int AS files, file_format, error_message FROM sys_unload_history ORDER BY query_id DESC LIMIT 1`,
        )
      ).rows[0];
    const rows = (await db.query('SELECT count(*)::int AS n FROM t')).rows[0].n;
    expect(await history()).toMatchObject({
      status: 'completed',
      unloaded_location: `s3://${bucket}/${prefix}`,
      rows,
      files: 4,
      file_format: 'Text',
      error_message: null,
    });
    // Not part of the client's transaction: an UNLOAD that fails in a rolled-back transaction keeps its row.
    await db.query('BEGIN');
    await db.query(`UNLOAD ('SELECT 1/0 FROM t') TO 's3://${bucket}/${prefix}again/' IAM_ROLE 'arn:aws:iam::123456789012:role/unload'`).catch(() => undefined);
    await db.query('ROLLBACK');
    expect(await history()).toMatchObject({ status: 'aborted', rows: null, error_message: 'division by zero' });

    const slow = await api.send(new ExecuteStatementCommand({ ...where(), Sql: 'SELECT pg_sleep(30)' }));
    for (;;) {
      if ((await api.send(new DescribeStatementCommand({ Id: slow.Id }))).Status === 'STARTED') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await api.send(new CancelStatementCommand({ Id: slow.Id }))).Status).toBe(true);
    const d = await finished(slow.Id!);
    expect(d.Status).toBe('ABORTED');
    await expect(api.send(new CancelStatementCommand({ Id: slow.Id }))).rejects.toBeInstanceOf(ValidationException);
  });

  it('lists statements by name prefix and status (ListStatements): finished ones unless asked otherwise', async () => {
    const named = `ferry unload ${rl.database}`;
    const running = await api.send(new ExecuteStatementCommand({ ...where(), Sql: 'SELECT pg_sleep(30)', StatementName: `${named}/1 attempt 1` }));
    const done = await api.send(new ExecuteStatementCommand({ ...where(), Sql: 'SELECT 1', StatementName: `${named}/10 attempt 1` }));
    await finished(done.Id!);
    const list = async (input: { StatementName: string; Status?: 'ALL' }) =>
      ((await api.send(new ListStatementsCommand(input))).Statements ?? []).map((s) => [s.Id, s.StatementName, s.Status]);
    expect(await list({ StatementName: `${named}/1 attempt `, Status: 'ALL' })).toEqual([
      [running.Id, `${named}/1 attempt 1`, expect.stringMatching(/SUBMITTED|PICKED|STARTED/)],
    ]);
    expect(await list({ StatementName: named })).toEqual([[done.Id, `${named}/10 attempt 1`, 'FINISHED']]);
    await api.send(new CancelStatementCommand({ Id: running.Id }));
    expect((await finished(running.Id!)).Status).toBe('ABORTED');
  });
});
