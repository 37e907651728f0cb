import { localStackConfig, postgresConnection } from '@ferry/config';
import { SessionPools } from './session-pools';

const sessions = new SessionPools();
afterAll(() => sessions.end());

// Against the local stack's PostgreSQL (its `postgres` database): which sessions are reused.
const connection = { ...postgresConnection(localStackConfig(), 'postgres'), database: 'postgres' };
const backend = (app: string) =>
  sessions.use(connection, app, async (c) => {
    const res = await c.query<{ pid: number; app: string; efd: string }>(
      `SELECT pg_backend_pid() AS pid, current_setting('application_name') AS app, current_setting('extra_float_digits') AS efd`,
    );
    return res.rows[0];
  });

describe('SessionPools.use', () => {
  it('reuses a session a successful activity left, with its SETs reset, under the same application name only', async () => {
    const first = await sessions.use(connection, 'ferry test-a', async (c) => {
      await c.query('SET extra_float_digits = 3');
      return (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    });
    const again = await backend('ferry test-a');
    expect(again).toEqual({ pid: first, app: 'ferry test-a', efd: '1' });
    expect((await backend('ferry test-b')).pid).not.toBe(first);
  });

  it('closes a session whose activity failed or left a transaction open', async () => {
    const { pid: failed } = await backend('ferry test-c');
    const failing = sessions.use(connection, 'ferry test-c', async (c) => {
      expect((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid).toBe(failed);
      throw new Error('activity failed');
    });
    await expect(failing).rejects.toThrow('activity failed');
    expect((await backend('ferry test-c')).pid).not.toBe(failed);

    const open = await sessions.use(connection, 'ferry test-d', async (c) => {
      await c.query('BEGIN');
      return (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    });
    expect((await backend('ferry test-d')).pid).not.toBe(open);
  });

  it('opens a new session when an idle one was closed by the server', async () => {
    const { pid } = await backend('ferry test-e');
    await sessions.use(connection, 'ferry test-admin', async (c) => c.query('SELECT pg_terminate_backend($1)', [pid]));
    const next = await backend('ferry test-e');
    expect(next.pid).not.toBe(pid);
  });
});
