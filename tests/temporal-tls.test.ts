import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { localStackConfig, temporalSettings } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';
import { connect, createDatabase, uniqueName } from './support/databases';
import { ferryCli, repoRoot, spawnWorker } from './support/processes';
import { startSecuredTemporal, type SecuredTemporal } from './support/temporal-tls';
import { waitFor } from './support/wait';

// Temporal Cloud and secured clusters, reproduced locally: the real dev server behind a
// TLS-terminating HTTP/2 proxy (tests/support/temporal-proxy.ts) that requires either a
// client certificate of a CA made for the test, or an API key. The worker app, the ferry CLI
// and the `temporal` CLI all read the same TOML profile file.
describe('Temporal behind TLS: mTLS and API keys from Temporal environment configuration', () => {
  let secured: SecuredTemporal;
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let configFile: string;
  const started: ReturnType<typeof spawnWorker>[] = [];

  /** Starts the worker app and waits until it polls or exits. */
  async function worker(env: NodeJS.ProcessEnv, taskQueue = uniqueName('ferry-tls')) {
    const w = spawnWorker({ ...env, FERRY_CONFIG: configFile, FERRY_TASK_QUEUE: taskQueue });
    started.push(w);
    await waitFor('the worker to start or exit', async () => w.output().includes(`task queue ${taskQueue}`) || w.child.exitCode !== null);
    return { ...w, taskQueue };
  }
  /** The worker's log as text: each JSON line's msg (the worker logs pino JSON lines). */
  const log = (w: ReturnType<typeof spawnWorker>) =>
    w
      .output()
      .split('\n')
      .map((line) => {
        try {
          return (JSON.parse(line) as { msg: string }).msg;
        } catch {
          return line;
        }
      })
      .join('\n');
  async function exited(w: ReturnType<typeof spawnWorker>): Promise<number> {
    return waitFor('the worker to exit', async () => w.child.exitCode ?? false);
  }

  beforeAll(async () => {
    secured = await startSecuredTemporal();
    source = await createDatabase('ferry_tls_src');
    target = await createDatabase('ferry_tls_dst');
    const [src, dst] = [await connect(source.name), await connect(target.name)];
    await src.query(`CREATE TABLE t AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, 1000) g`);
    await dst.query(`CREATE TABLE t (id int, h text)`);
    await Promise.all([src.end(), dst.end()]);
    const config = localStackConfig();
    config.connections.redshift.database = source.name;
    config.connections.postgres.database = target.name;
    configFile = path.join(mkdtempSync(path.join(tmpdir(), 'ferry-tls-')), 'ferry.json');
    writeFileSync(configFile, JSON.stringify(config));
  });

  afterAll(async () => {
    await Promise.all(started.map((w) => w.stop()));
    await secured?.close();
    await source?.drop();
    await target?.drop();
  });

  it('mTLS from a profile: the worker app runs a transfer; the ferry CLI and the temporal CLI read the same profile', async () => {
    const env = secured.env('mtls');
    const w = await worker(env);
    expect(w.child.exitCode).toBeNull();
    expect(log(w)).toContain(`profile "mtls" of ${secured.profileFile}`);

    const settings = temporalSettings(env);
    expect(settings.address).toBe(secured.mtls.address);
    const connection = await Connection.connect(settings.connection);
    const client = new Client({ connection, namespace: settings.namespace, dataConverter: ferryDataConverter(env) });
    const workflowId = uniqueName('tls-transfer');
    try {
      const result = await client.workflow.execute('tableTransfer', {
        taskQueue: w.taskQueue,
        workflowId,
        args: [{ source: { connection: 'redshift', table: 'public.t' }, target: { connection: 'postgres', table: 'public.t' } }],
      });
      expect(result).toMatchObject({ rows: 1000 });
    } finally {
      await connection.close();
    }

    const status = await ferryCli(['status', workflowId], env);
    expect(status.stderr).toBe('');
    expect(status.stdout).toMatch(new RegExp(`^tableTransfer ${workflowId}: COMPLETED`));

    // The Temporal CLI itself, given only the profile file and name.
    const { stdout } = await promisify(execFile)(
      path.join(repoRoot, '.tools/bin/temporal'),
      ['workflow', 'describe', '--workflow-id', workflowId, '--output', 'json'],
      { env },
    );
    expect(JSON.parse(stdout).workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
  });

  it('a client certificate from another CA is refused at start, with what to check', async () => {
    const rogue = secured.env('mtls', {
      TEMPORAL_TLS_CLIENT_CERT_PATH: secured.pki.rogueClient.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: secured.pki.rogueClient.key,
    });
    const w = await worker(rogue);
    expect(await exited(w)).toBe(1);
    const expected = new RegExp(
      `cannot connect to Temporal at ${secured.mtls.address} \\(mTLS, profile "mtls" of [^)]+\\): .*a client certificate it trusts \\(TEMPORAL_TLS_CLIENT_CERT_PATH/_KEY_PATH`,
    );
    expect(log(w)).toMatch(expected);
    const cli = await ferryCli(['status'], rogue);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(expected);
  });

  it('an API key, checked by the proxy: the right one connects worker and CLI, a wrong one is refused naming TEMPORAL_API_KEY', async () => {
    const env = secured.env('apikey');
    const w = await worker(env);
    expect(w.child.exitCode).toBeNull();
    expect((await ferryCli(['status', '--limit', '1'], env)).code).toBe(0);

    const wrongKey = 'wrong-api-key-value-0123456789';
    const refusedBefore = secured.keyed.refusedCalls();
    const cli = await ferryCli(['status'], { ...env, TEMPORAL_API_KEY: wrongKey });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/UNAUTHENTICATED.*missing or invalid API key\. The server refused the credentials: check TEMPORAL_API_KEY/);
    const bad = await worker({ ...env, TEMPORAL_API_KEY: wrongKey });
    expect(await exited(bad)).toBe(1);
    expect(log(bad)).toMatch(/check TEMPORAL_API_KEY/);
    expect(secured.keyed.refusedCalls()).toBeGreaterThan(refusedBefore);
    for (const text of [cli.stderr, bad.output(), w.output()]) {
      expect(text).not.toContain(wrongKey);
      expect(text).not.toContain(secured.apiKey);
    }
  });

  it('a missing certificate file and an unknown profile fail at worker and CLI start, naming the setting', async () => {
    const missing = secured.env('mtls', { TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.crt' });
    const unknown = secured.env('prod');
    const cases: [NodeJS.ProcessEnv, string][] = [
      [missing, 'TEMPORAL_TLS_CLIENT_CERT_PATH=/nonexistent/client.crt: cannot read it (ENOENT)'],
      [unknown, `TEMPORAL_PROFILE=prod: no such profile in ${secured.profileFile} (it has mtls, apikey)`],
    ];
    for (const [env, message] of cases) {
      const w = await worker(env);
      expect(await exited(w)).toBe(1);
      expect(log(w)).toContain(message);
      const cli = await ferryCli(['status'], env);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toBe(`ferry: ${message}\n`);
    }
  });
});
