import {
  BatchExecuteStatementCommand,
  CancelStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { statement } from '@ferry/sql';
import { sourceTypeOf } from '@ferry/type-map';
import { describeColumnMetadata } from './column-metadata';
import { namedParameters } from './parameters';
import { DataApiSession } from './session';
import { DataApiStatementFailed, sqlStateOf } from './statements';
import { dataApiUnload } from './unload';

const api = mockClient(RedshiftDataClient);
const client = new RedshiftDataClient({ region: 'eu-west-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
const connection = { database: 'dev', clusterIdentifier: 'analytics', user: 'ferry' };
const UNLOAD = statement(`UNLOAD ($$SELECT 1$$) TO 's3://b/p/attempt-1/' IAM_ROLE 'r'`);

beforeEach(() => api.reset());

describe('positional parameters as the Data API names them', () => {
  it('renames $n outside quoted text and dollar-quoted bodies, values as strings', () => {
    expect(namedParameters(`SELECT '$1', "$2", $$ $3 $$ FROM t WHERE a = $1 AND b = $2`, ['x', 7])).toEqual({
      sql: `SELECT '$1', "$2", $$ $3 $$ FROM t WHERE a = :p1 AND b = :p2`,
      parameters: [
        { name: 'p1', value: 'x' },
        { name: 'p2', value: '7' },
      ],
    });
  });
  it('leaves $n alone in $tag$ bodies and comments', () => {
    const text = `SELECT $fn$ $1 $fn$ -- not $2\n, $1 /* nor $2 */ FROM t WHERE b = $2`;
    expect(namedParameters(text, ['x', 'y']).sql).toBe(`SELECT $fn$ $1 $fn$ -- not $2\n, :p1 /* nor $2 */ FROM t WHERE b = :p2`);
  });

  it('refuses a null, which the Data API cannot bind', () => {
    expect(() => namedParameters('SELECT $1', [null])).toThrow(/null/);
  });
});

describe('ColumnMetadata as the type map reads it', () => {
  it('gives the OIDs and modifiers a RowDescription gives, the length from either field', () => {
    const fields = describeColumnMetadata([
      { name: 'a', typeName: 'varchar', length: 12 },
      { name: 'b', typeName: 'bpchar', precision: 10 },
      { name: 'c', typeName: 'numeric', precision: 38, scale: 10 },
      { name: 'd', typeName: 'super' },
      { name: 'e', typeName: 'timestamptz' },
      { name: 'f', typeName: 'somethingelse' },
    ]);
    expect(fields.map((f) => sourceTypeOf(f.dataTypeID, f.dataTypeModifier))).toEqual([
      { kind: 'varchar', length: 12 },
      { kind: 'char', length: 10 },
      { kind: 'decimal', precision: 38, scale: 10 },
      { kind: 'super' },
      { kind: 'timestamptz' },
      undefined,
    ]);
  });
});

describe('a failed statement', () => {
  it('carries the SQLSTATE its message stands for, where ferry acts on one', () => {
    expect(sqlStateOf('ERROR: relation "public.nope" does not exist')).toBe('42P01');
    expect(sqlStateOf('ERROR: permission denied for relation t')).toBe('42501');
    expect(sqlStateOf('S3 returned 403')).toBeUndefined();
    expect(new DataApiStatementFailed('id', 'ABORTED', 'syntax error').code).toBeUndefined();
  });
});

describe('the Data API session', () => {
  it('opens a session with the first statement and names it in the next, parameters bound by name', async () => {
    api.on(ExecuteStatementCommand).resolvesOnce({ Id: 's1', SessionId: 'sess' }).resolvesOnce({ Id: 's2', SessionId: 'sess' });
    api.on(DescribeStatementCommand, { Id: 's1' }).resolves({ Status: 'FINISHED', HasResultSet: false, ResultRows: 0 });
    api.on(DescribeStatementCommand, { Id: 's2' }).resolves({ Status: 'FINISHED', HasResultSet: true });
    api
      .on(GetStatementResultCommand, { Id: 's2' })
      .resolvesOnce({
        ColumnMetadata: [
          { name: 'n', typeName: 'int8' },
          { name: 'keys', typeName: 'varchar' },
        ],
        Records: [[{ longValue: 3 }, { stringValue: '{1,2}' }]],
        NextToken: 't',
      })
      .resolvesOnce({ ColumnMetadata: [], Records: [[{ isNull: true }, { stringValue: 'x' }]] });
    const session = new DataApiSession(client, connection);
    await session.query('SET search_path TO "s"');
    const result = await session.query('SELECT n, keys FROM t WHERE a = $1', ['x']);
    expect(result.rows).toEqual([
      { n: 3, keys: '{1,2}' },
      { n: null, keys: 'x' },
    ]);
    const sent = api.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    expect(sent[0]).toEqual({ Sql: 'SET search_path TO "s"', Database: 'dev', ClusterIdentifier: 'analytics', DbUser: 'ferry', SessionKeepAliveSeconds: 60 });
    expect(sent[1]).toEqual({ Sql: 'SELECT n, keys FROM t WHERE a = :p1', Parameters: [{ name: 'p1', value: 'x' }], SessionId: 'sess' });
  });

  it('after a long idle, gives a new session the same SETs before the next statement; refuses to when a TEMP table lived in the old one', async () => {
    let n = 0;
    api.on(ExecuteStatementCommand).callsFake((input: { SessionId?: string }) => ({ Id: `s${++n}`, SessionId: input.SessionId ?? `sess${n}` }));
    api.on(DescribeStatementCommand).resolves({ Status: 'FINISHED', HasResultSet: false, ResultRows: 0 });
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const session = new DataApiSession(client, connection);
      await session.query(`SET TimeZone TO 'UTC'`);
      await session.query('SET extra_float_digits TO 2');
      now += 5 * 60_000; // the other side of a verify took five minutes
      await session.query('SELECT 1');
      const sent = api.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
      expect(sent.map((i) => [i.Sql, i.SessionId ?? `new, kept ${i.SessionKeepAliveSeconds} s`])).toEqual([
        [`SET TimeZone TO 'UTC'`, 'new, kept 60 s'],
        ['SET extra_float_digits TO 2', 'sess1'],
        [`SET TimeZone TO 'UTC'`, 'new, kept 60 s'],
        ['SET extra_float_digits TO 2', 'sess3'],
        ['SELECT 1', 'sess3'],
      ]);

      const temp = new DataApiSession(client, connection);
      await temp.query('CREATE TEMP TABLE k (id int)');
      now += 5 * 60_000;
      await expect(temp.query('SELECT * FROM k')).rejects.toThrow(/"CREATE TEMP TABLE …" was idle for more than 30 s/);
    } finally {
      clock.mockRestore();
    }
  });

  it('opens no session for reads that leave nothing behind', async () => {
    api.on(ExecuteStatementCommand).resolves({ Id: 's1' });
    api.on(DescribeStatementCommand).resolves({ Status: 'FINISHED', HasResultSet: false, ResultRows: 0 });
    const session = new DataApiSession(client, connection);
    await session.query('SELECT 1');
    await session.query('SELECT 2');
    const sent = api.commandCalls(ExecuteStatementCommand).map((c) => c.args[0].input);
    expect(sent.map((i) => [i.SessionKeepAliveSeconds, i.SessionId])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  it('cancels its statement on the warehouse when aborted', async () => {
    api.on(ExecuteStatementCommand).resolves({ Id: 'slow' });
    api.on(DescribeStatementCommand).resolves({ Status: 'STARTED' });
    api.on(CancelStatementCommand).resolves({ Status: true });
    const abort = new AbortController();
    const session = new DataApiSession(client, connection, abort.signal);
    const running = session.query('SELECT count(*) FROM big');
    abort.abort(new Error('CANCELLED'));
    await expect(running).rejects.toThrow('CANCELLED');
    await new Promise((r) => setImmediate(r));
    expect(api.commandCalls(CancelStatementCommand).map((c) => c.args[0].input)).toEqual([{ Id: 'slow' }]);
  });

  it('rejects with the server message of a failed statement', async () => {
    api.on(ExecuteStatementCommand).resolves({ Id: 's1' });
    api.on(DescribeStatementCommand).resolves({ Status: 'FAILED', Error: 'ERROR: relation "t" does not exist' });
    await expect(new DataApiSession(client, connection).query('SELECT 1 FROM t')).rejects.toMatchObject({ code: '42P01', status: 'FAILED' });
  });
});

describe('the durable UNLOAD', () => {
  it('is one batch under the session settings with the given ClientToken, recorded once started, waited for', async () => {
    api.on(BatchExecuteStatementCommand).resolves({ Id: 'u1' });
    api.on(DescribeStatementCommand).resolvesOnce({ Status: 'STARTED' }).resolves({ Status: 'FINISHED' });
    const started: string[] = [];
    const done = await dataApiUnload(client, connection, UNLOAD, { clientToken: 'tok', onStarted: (id) => started.push(id) });
    expect(done.Status).toBe('FINISHED');
    expect(started).toEqual(['u1']);
    expect(api.commandCalls(BatchExecuteStatementCommand)[0].args[0].input).toEqual({
      Database: 'dev',
      ClusterIdentifier: 'analytics',
      DbUser: 'ferry',
      Sqls: [`SET DateStyle TO 'ISO, MDY'`, `SET TimeZone TO 'UTC'`, 'SET extra_float_digits TO 2', UNLOAD.text],
      ClientToken: 'tok',
      StatementName: 'ferry unload',
    });
  });

  it('resumes an earlier statement without sending another', async () => {
    api.on(DescribeStatementCommand).resolves({ Status: 'FINISHED' });
    await dataApiUnload(client, connection, UNLOAD, { clientToken: 'tok', resume: 'earlier' });
    expect(api.commandCalls(BatchExecuteStatementCommand)).toHaveLength(0);
    expect(api.commandCalls(DescribeStatementCommand)[0].args[0].input).toEqual({ Id: 'earlier' });
  });

  it('cancels the statement when aborted, and waits until it has stopped', async () => {
    api.on(BatchExecuteStatementCommand).resolves({ Id: 'u1' });
    let cancelled = false;
    api.on(CancelStatementCommand).callsFake(() => {
      cancelled = true;
      return { Status: true };
    });
    api.on(DescribeStatementCommand).callsFake(() => ({ Status: cancelled ? 'ABORTED' : 'STARTED' }));
    const abort = new AbortController();
    const running = dataApiUnload(client, connection, UNLOAD, { clientToken: 'tok', signal: abort.signal, onStarted: () => abort.abort() });
    await expect(running).rejects.toMatchObject({ name: 'DataApiStatementFailed', status: 'ABORTED' });
    expect(api.commandCalls(CancelStatementCommand)[0].args[0].input).toEqual({ Id: 'u1' });
  });

  it('leaves the statement running when the abort is not a cancellation (a worker stopping), and stops waiting with its reason', async () => {
    api.on(BatchExecuteStatementCommand).resolves({ Id: 'u1' });
    api.on(DescribeStatementCommand).resolves({ Status: 'STARTED' });
    const abort = new AbortController();
    const running = dataApiUnload(client, connection, UNLOAD, {
      clientToken: 'tok',
      signal: abort.signal,
      cancelsOnAbort: () => false,
      onStarted: () => abort.abort(new Error('WORKER_SHUTDOWN')),
    });
    await expect(running).rejects.toThrow('WORKER_SHUTDOWN');
    expect(api.commandCalls(CancelStatementCommand)).toHaveLength(0);
  });
});
