import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection, WorkflowHandle } from '@temporalio/client';
import type { Client as PgClient } from 'pg';
import { localStackConfig, temporalSettings } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';
import { bookkeepingTables } from '@ferry/postgres';
import { installRedshiftTypes } from '@ferry/redshift-local';
import { connect, createDatabase, fingerprint, uniqueName } from '../support/databases';
import { repoRoot, spawnWorker } from '../support/processes';
import { waitFor } from '../support/wait';

const exec = promisify(execFile);

/** A source and target database, a worker process that can be killed, and a Temporal client. */
export async function faultHarness(name: string) {
  const source = await createDatabase(`ferry_fault_src`);
  const target = await createDatabase(`ferry_fault_dst`);
  await installRedshiftTypes(source.name);
  const src = await connect(source.name);
  const dst = await connect(target.name);
  const admin = await connect('postgres');
  const taskQueue = uniqueName(`ferry-fault-${name}`);
  const config = localStackConfig();
  config.connections.redshift.database = source.name;
  config.connections['redshift-data'].database = source.name;
  config.connections.postgres.database = target.name;
  const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'ferry-fault-')), 'ferry.json');
  writeFileSync(configFile, JSON.stringify(config));
  let worker: ReturnType<typeof spawnWorker> | undefined;
  let connection: Connection | undefined;

  let workers = 0;
  const startWorker = async () => {
    worker = spawnWorker({ FERRY_CONFIG: configFile, FERRY_TASK_QUEUE: taskQueue });
    const w = worker;
    // Each worker's output, kept for a failure's post-mortem (CI prints only jest's).
    const log = path.join(repoRoot, '.data/logs/faults', `${taskQueue}-worker-${++workers}.log`);
    mkdirSync(path.dirname(log), { recursive: true });
    w.child.once('exit', () => writeFileSync(log, w.output()));
    await waitFor('the worker to start', async () => w.output().includes(`task queue ${taskQueue}`) || w.child.exitCode !== null);
    if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.output()}`);
  };

  const client = async () => {
    const temporal = temporalSettings();
    connection ??= await Connection.connect(temporal.connection);
    return new Client({ connection, namespace: temporal.namespace, dataConverter: ferryDataConverter() });
  };

  return {
    source,
    target,
    src,
    dst,
    startWorker,
    client,
    /** SIGKILL: no graceful shutdown, no activity completion, exactly like a crashed host. */
    async killWorker() {
      const w = worker!;
      const exited = new Promise((r) => w.child.once('exit', r));
      w.child.kill('SIGKILL');
      await exited;
    },
    /** SIGTERM: the worker's graceful shutdown (a deploy, a drained pod); its running activities are cancelled with reason WORKER_SHUTDOWN. */
    async stopWorker() {
      await worker!.stop();
    },
    async start(input: unknown, workflowType = 'tableTransfer'): Promise<WorkflowHandle> {
      return (await client()).workflow.start(workflowType, { taskQueue, workflowId: uniqueName(`fault-${name}`), args: [input] });
    },
    /** The result, riding out a Temporal server restart (the long poll breaks while it is down). */
    async result(handle: WorkflowHandle): Promise<unknown> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await (await client()).workflow.getHandle(handle.workflowId).result();
        } catch (err) {
          const name = (err as Error).name;
          if (name === 'WorkflowFailedError' || attempt > 60) throw err;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    },
    async active(db: 'source' | 'target', like: string): Promise<number[]> {
      const res = await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE $2 AND pid <> pg_backend_pid()`,
        [db === 'source' ? source.name : target.name, like],
      );
      return res.rows.map((r) => r.pid);
    },
    async terminate(pid: number) {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    },
    /** Target equals source (count and md5 over every row), and no staging table is left. */
    async expectIdentical(table: string, columns: string, orderBy: string) {
      const view = `(SELECT ${columns} FROM ${table})`;
      expect(await fingerprint(dst, view, orderBy)).toEqual(await fingerprint(src, view, orderBy));
      const staging = await dst.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'ferry_staging' AND NOT tablename = ANY ($1)`, [
        bookkeepingTables('ferry_staging').map((t) => t.name),
      ]);
      expect(staging.rows[0].n).toBe(0);
    },
    async close() {
      await worker?.stop();
      await connection?.close();
      await Promise.all([src.end(), dst.end(), admin.end()]);
      await source.drop();
      await target.drop();
    },
  };
}

export type FaultHarness = Awaited<ReturnType<typeof faultHarness>>;

/** Stops or starts one service of the local stack (tools/stack.sh). */
export async function stackService(action: 'up' | 'down', service: 'temporal' | 'minio'): Promise<void> {
  await exec('bash', [path.join(repoRoot, 'tools/stack.sh'), action, service], { env: process.env });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seeds `t` on the source; gives the target a default that makes each COPY row take `msPerRow`. */
export async function slowLoadTables(h: FaultHarness, rows: number, msPerRow: number) {
  await h.src.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS h, repeat('x', g % 100) AS pad FROM generate_series(1, ${rows}) g`);
  await h.dst.query(`CREATE FUNCTION slow_one() RETURNS int LANGUAGE sql AS 'SELECT 1 FROM pg_sleep(${msPerRow / 1000})'`);
  await h.dst.query(`CREATE TABLE t (id int, h text, pad text, slow int DEFAULT slow_one())`);
}

/** Every row written into the target's table `t` (inserted or updated) takes `msPerRow`: a window to kill the worker in while it publishes. */
export async function slowWrites(h: FaultHarness, msPerRow: number) {
  await h.dst.query(`CREATE FUNCTION slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(${msPerRow / 1000}); RETURN NEW; END $$`);
  await h.dst.query(`CREATE TRIGGER slow BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION slow_row()`);
}

export type { PgClient };
