import { Client } from 'pg';
import { bucket, exec, keys, redshiftLocal, uniquePrefix } from './support';

type RL = Awaited<ReturnType<typeof redshiftLocal>>;

describe('redshift-local as a PostgreSQL proxy', () => {
  let rl: RL;
  beforeAll(async () => {
    rl = await redshiftLocal();
  });
  afterAll(async () => {
    await rl?.close();
  });

  const psql = (...args: string[]) => exec('psql', ['-h', '127.0.0.1', '-p', String(rl.port), '-d', rl.database, '-v', 'ON_ERROR_STOP=1', '-At', ...args]);

  it('passes simple and extended queries, parameters and transactions through', async () => {
    const db = await rl.connect();
    await db.query('CREATE TABLE kv (k text PRIMARY KEY, v int)');
    await db.query('BEGIN');
    await db.query('INSERT INTO kv VALUES ($1, $2), ($3, $4)', ['a', 1, 'b', 2]);
    await db.query('ROLLBACK');
    await db.query('INSERT INTO kv VALUES ($1, $2)', ['c', 3]);
    expect((await db.query('SELECT k, v FROM kv WHERE v > $1', [0])).rows).toEqual([{ k: 'c', v: 3 }]);
    await expect(db.query('SELECT * FROM missing')).rejects.toThrow('relation "missing" does not exist');
    // large results and large statements pass through whole
    expect((await db.query('SELECT g, md5(g::text) FROM generate_series(1, 200000) g')).rows).toHaveLength(200000);
    const big = 'x'.repeat(3_000_000);
    expect((await db.query('SELECT length($1::text) AS n', [big])).rows).toEqual([{ n: 3_000_000 }]);
  });

  it('answers version() like Redshift', async () => {
    const db = await rl.connect();
    expect((await db.query('select version()')).rows[0].version).toMatch(/^PostgreSQL 8\.0\.2 .*Redshift 1\.0\.\d+/);
    // extended protocol, and version() inside a larger query
    expect((await db.query('select upper(version()) as v, $1::int as n', [7])).rows[0]).toEqual({
      v: expect.stringMatching(/^POSTGRESQL 8\.0\.2 .*REDSHIFT/),
      n: 7,
    });
    // pg_catalog.version() still answers for the backing PostgreSQL
    expect((await db.query('select pg_catalog.version() as v')).rows[0].v).toMatch(/^PostgreSQL 1\d/);
  });

  it('serves psql, UNLOAD included', async () => {
    const p = uniquePrefix('psql');
    const { stdout } = await psql('-c', 'select 40 + 2');
    expect(stdout.trim()).toBe('42');
    const out = await psql('-c', `unload ('select 1') to 's3://${bucket}/${p}' iam_role 'arn:aws:iam::1:role/r' parallel off`);
    expect(out.stderr).toContain('INFO:  UNLOAD completed, 1 record(s) unloaded successfully.');
    expect(await keys(p)).toEqual(['000']);
  });

  it('serves pgbench', async () => {
    const env = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(rl.port) };
    await exec('pgbench', ['-i', '-s', '1', '-q', rl.database], { env });
    const { stdout } = await exec('pgbench', ['-t', '20', '-c', '2', rl.database], { env });
    expect(stdout).toMatch(/number of transactions actually processed: 40\/40/);
  });

  it('cancels a running UNLOAD on the backing database with the client’s CancelRequest', async () => {
    const db = await rl.connect();
    const running = db
      .query(`UNLOAD ('select pg_sleep(600)::text') TO 's3://${bucket}/${uniquePrefix('cancel')}' IAM_ROLE 'arn:aws:iam::1:role/r'`)
      .catch((e: Error) => e);
    const active = async () =>
      (await rl.admin.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE 'COPY (%pg_sleep(600)%'`, [rl.database]))
        .rows;
    for (let i = 0; i < 100 && (await active()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await active()).toHaveLength(1);
    const canceller = new Client({ host: '127.0.0.1', port: rl.port, user: db.user, database: rl.database });
    // node-postgres sends a protocol CancelRequest with the backend key it received.
    const { processID, secretKey } = db as unknown as { processID: number; secretKey: number };
    await new Promise<void>((resolve, reject) => {
      const con = (
        canceller as unknown as {
          connection: { connect(port: number, host: string): void; on(e: string, f: () => void): void; cancel(p: number, k: number): void };
        }
      ).connection;
      con.on('connect', () => {
        con.cancel(processID, secretKey);
        resolve();
      });
      con.on('error', reject);
      con.connect(rl.port, '127.0.0.1');
    });
    const err = await running;
    expect((err as Error).message).toBe('canceling statement due to user request');
    expect(await active()).toEqual([]);
  });
});
