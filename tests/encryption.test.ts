import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { localStackConfig, temporalSettings } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';
import { connect, createDatabase, uniqueName } from './support/databases';
import { startFerry, testConfig } from './support/ferry';
import { launchChromium, saveScreenshot, webUiUrl } from './support/browser';
import { repoRoot, spawnWorker, temporalCli, temporalCliOutcome } from './support/processes';
import { startSecuredTemporal, type SecuredTemporal } from './support/temporal-tls';
import { startTemporalProxy, type TemporalProxy } from './support/temporal-proxy';
import { stack } from './support/env';
import { waitFor } from './support/wait';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

// Payload encryption end to end: the worker app behind mTLS and an API key, with
// FERRY_ENCRYPTION_KEYS; what Temporal stores (read by a client without the codec) holds no
// table name, query or row text, and no secret of the test; key holders read everything,
// the Web UI included once its codec endpoint is set.
describe('payload encryption', () => {
  const hex = randomBytes(4).toString('hex');
  const table = `payroll_${hex}`;
  const queryText = `query-needle-${hex}`;
  const rowText = `row-needle-${hex}`;
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const sourcePassword = `src-${randomBytes(12).toString('hex')}`;
  const targetPassword = `dst-${randomBytes(12).toString('hex')}`;
  const workflowIds: string[] = [];
  let secured: SecuredTemporal;
  let strict: TemporalProxy;
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let worker: ReturnType<typeof spawnWorker>;
  let workerEnv: NodeJS.ProcessEnv;
  let connection: Connection;
  let client: Client;
  const taskQueue = uniqueName('ferry-enc');
  const input = (targetTable = `public.${table}`) => ({
    source: { connection: 'redshift', query: `SELECT id, note FROM public.${table} WHERE note <> '${queryText}'` },
    target: { connection: 'postgres', table: targetTable },
  });
  const start = (c: Client, args: unknown, prefix: string) => {
    const workflowId = uniqueName(prefix);
    workflowIds.push(workflowId);
    return c.workflow.start('tableTransfer', { taskQueue, workflowId, args: [args] });
  };

  beforeAll(async () => {
    secured = await startSecuredTemporal();
    // Both a client certificate and an API key, so the worker holds every kind of secret.
    strict = await startTemporalProxy({
      upstream: stack.temporalAddress,
      cert: secured.pki.server.cert,
      key: secured.pki.server.key,
      clientCa: secured.pki.ca.cert,
      apiKey: secured.apiKey,
    });
    source = await createDatabase('ferry_enc_src');
    target = await createDatabase('ferry_enc_dst');
    const [src, dst] = [await connect(source.name), await connect(target.name)];
    await src.query(`CREATE TABLE ${table} AS SELECT g AS id, '${rowText}-' || g AS note FROM generate_series(1, 50) g`);
    await dst.query(`CREATE TABLE ${table} (id int, note text)`);
    await Promise.all([src.end(), dst.end()]);
    const config = localStackConfig();
    config.connections.redshift.database = source.name;
    config.connections.postgres.database = target.name;
    // Passwords the worker holds (the local servers trust it and never ask for them): the scan looks for them too.
    Object.assign(config.connections.redshift, { passwordEnv: 'FERRY_ENC_SOURCE_PASSWORD' });
    Object.assign(config.connections.postgres, { passwordEnv: 'FERRY_ENC_TARGET_PASSWORD' });
    const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'ferry-enc-')), 'ferry.json');
    writeFileSync(configFile, JSON.stringify(config));

    // The worker loads a prebuilt bundle, as deployments do: with keys, the encrypted twin.
    const bundle = path.join(path.dirname(configFile), 'ferry-workflows.js');
    await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'apps/worker/src/build-workflow-bundle.ts'), bundle], {
      cwd: repoRoot,
    });
    workerEnv = secured.env('mtls', {
      FERRY_WORKFLOW_BUNDLE: bundle,
      TEMPORAL_ADDRESS: strict.address,
      TEMPORAL_API_KEY: secured.apiKey,
      FERRY_ENCRYPTION_KEYS: `new:${newKey},old:${oldKey}`,
      FERRY_ENC_SOURCE_PASSWORD: sourcePassword,
      FERRY_ENC_TARGET_PASSWORD: targetPassword,
      FERRY_LOG_LEVEL: 'debug',
      FERRY_CONFIG: configFile,
      FERRY_TASK_QUEUE: taskQueue,
    });
    worker = spawnWorker(workerEnv);
    await waitFor('the worker to start', async () => worker.output().includes(`task queue ${taskQueue}`) || worker.child.exitCode !== null);
    expect(worker.child.exitCode).toBeNull();
    const settings = temporalSettings(workerEnv);
    connection = await Connection.connect(settings.connection);
    client = new Client({ connection, namespace: settings.namespace, dataConverter: ferryDataConverter(workerEnv) });
  });

  afterAll(async () => {
    await worker?.stop();
    await connection?.close();
    await strict?.close();
    await secured?.close();
    await source?.drop();
    await target?.drop();
  });

  /** A finished run's history as Temporal stores it: protobuf bytes, payloads as the server has them. */
  async function storedHistory(workflowId: string): Promise<Buffer> {
    const raw = new Client({ connection, namespace: stack.namespace });
    return Buffer.from(temporal.api.history.v1.History.encode(await raw.workflow.getHandle(workflowId).fetchHistory()).finish());
  }
  const encodingOf = (history: Buffer) => {
    const decoded = temporal.api.history.v1.History.decode(history);
    const started = decoded.events![0].workflowExecutionStartedEventAttributes!;
    const meta = started.input!.payloads![0].metadata!;
    return { encoding: Buffer.from(meta.encoding).toString(), keyId: meta['encryption-key-id'] && Buffer.from(meta['encryption-key-id']).toString() };
  };

  it('a transfer runs with encrypted payloads; key holders read its result', async () => {
    const handle = await start(client, input(), 'enc-ok');
    expect(await handle.result()).toMatchObject({ rows: 50 });
    expect(encodingOf(await storedHistory(handle.workflowId))).toEqual({ encoding: 'binary/encrypted', keyId: 'new' });
  });

  it('failure messages are encrypted too, and decrypted for key holders', async () => {
    const handle = await start(client, input(`public.${table}_missing`), 'enc-fail');
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause?.message).toContain(`${table}_missing`);
    const history = temporal.api.history.v1.History.decode(await storedHistory(handle.workflowId));
    const failed = history.events!.find((e) => e.workflowExecutionFailedEventAttributes)!.workflowExecutionFailedEventAttributes!.failure!;
    expect(failed.message).toMatch(/^Encoded failure \(TargetNotFound\): the message is encrypted/);
  });

  it('rotation: input encrypted with the old key by a client that holds only it is read by the worker, which writes with the new one', async () => {
    const oldOnly = new Client({ connection, namespace: stack.namespace, dataConverter: ferryDataConverter({ FERRY_ENCRYPTION_KEYS: `old:${oldKey}` }) });
    const handle = await start(oldOnly, input(), 'enc-rotate');
    // That client cannot read what the new key wrote, and says which key it lacks.
    await expect(handle.result()).rejects.toThrow(/key id "new", which FERRY_ENCRYPTION_KEYS does not hold \(it holds old\)/);
    expect(await client.workflow.getHandle(handle.workflowId).result()).toMatchObject({ rows: 50 });
    expect(encodingOf(await storedHistory(handle.workflowId))).toEqual({ encoding: 'binary/encrypted', keyId: 'old' });
  });

  it('no stored history holds table name, query or row text, and no history or worker log line holds a secret of the test', async () => {
    const clientKey = readFileSync(secured.pki.client.key, 'utf8');
    const keyBody = clientKey
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');
    const secrets: [string, Buffer][] = [
      ['API key', Buffer.from(secured.apiKey)],
      ['source database password', Buffer.from(sourcePassword)],
      ['target database password', Buffer.from(targetPassword)],
      ['TLS private key', Buffer.from(keyBody)],
      ['TLS private key (DER)', Buffer.from(keyBody, 'base64')],
      ['encryption key', Buffer.from(newKey)],
      ['old encryption key', Buffer.from(oldKey)],
      ['encryption key bytes', Buffer.from(newKey, 'base64')],
      ['old encryption key bytes', Buffer.from(oldKey, 'base64')],
    ];
    const plaintext: [string, Buffer][] = [
      ['table name', Buffer.from(table)],
      ['query text', Buffer.from(queryText)],
      ['row text', Buffer.from(rowText)],
    ];
    expect(workflowIds).toHaveLength(3);
    for (const id of workflowIds) {
      const history = await storedHistory(id);
      for (const [what, needle] of [...secrets, ...plaintext]) expect([id, what, history.includes(needle)]).toEqual([id, what, false]);
    }
    const log = Buffer.from(worker.output());
    expect(log.length).toBeGreaterThan(0);
    for (const [what, needle] of secrets) expect([what, log.includes(needle)]).toEqual([what, false]);
  });

  /** `ferry codec-server` with the worker's keys, on a free port, until `stop()`. */
  async function startCodecServer(): Promise<{ endpoint: string; stop(): void }> {
    const port = await freePort();
    const codec: ChildProcess = spawn(path.join(repoRoot, 'apps/cli/bin/ferry'), ['codec-server', '--port', String(port)], {
      cwd: repoRoot,
      env: { ...process.env, FERRY_ENCRYPTION_KEYS: `new:${newKey},old:${oldKey}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    codec.stdout!.on('data', (d) => (out += d));
    codec.stderr!.on('data', (d) => (out += d));
    const endpoint = `http://127.0.0.1:${port}`;
    await waitFor('the codec server', async () => out.includes(endpoint) || codec.exitCode !== null);
    expect(codec.exitCode).toBeNull();
    return { endpoint, stop: () => codec.kill('SIGTERM') };
  }

  it('the Temporal CLI shows an encrypted failure message through `ferry codec-server`, and without it only its type and how to read it', async () => {
    const failedId = workflowIds[1];
    // Without the codec: the failure's type and where to read its message, nothing of the message.
    const described = await temporalCli(['workflow', 'describe', '--workflow-id', failedId]);
    expect(described).toContain(
      'Message: Encoded failure (TargetNotFound): the message is encrypted (FERRY_ENCRYPTION_KEYS); read it with `ferry status <workflow-id>`',
    );
    expect(described).not.toContain(table);
    const codec = await startCodecServer();
    try {
      // The CLI decodes payloads through the codec but prints a failure's decoded attributes only as JSON.
      for (const command of ['describe', 'result']) {
        // `result` of a failed run exits 1, with the JSON on stdout.
        const decoded = JSON.parse(
          (await temporalCliOutcome(['workflow', command, '--workflow-id', failedId, '--codec-endpoint', codec.endpoint, '--output', 'json'])).stdout,
        );
        const failure = decoded.closeEvent.workflowExecutionFailedEventAttributes.failure;
        expect([command, failure.encodedAttributes.message]).toEqual([command, expect.stringContaining(`target table public.${table}_missing does not exist`)]);
      }
    } finally {
      codec.stop();
    }
  });

  it('the Web UI shows the decrypted input and failure message once its codec endpoint is set to `ferry codec-server`', async () => {
    const workflowId = workflowIds[0];
    const codec = await startCodecServer();
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
      await page.goto(`${webUiUrl}/namespaces/${stack.namespace}/workflows/${workflowId}`);
      await page.getByTestId('data-encoder-status').waitFor();
      // Without the codec the UI has only ciphertext: the table name is nowhere on the page.
      await page.waitForLoadState('networkidle');
      expect(await page.locator('body').innerText()).not.toContain(table);

      await page.getByTestId('data-encoder-status').click();
      await page.getByTestId('data-encoder-endpoint-input').fill(codec.endpoint);
      await page.getByTestId('confirm-data-encoder-button').click();
      // The UI keeps the endpoint in the browser's localStorage and decodes the page on its next load.
      await page.waitForFunction(
        (url) => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('endpoint')?.includes(url),
        codec.endpoint,
      );
      await page.reload();
      try {
        await page.getByText(`public.${table}`).first().waitFor({ state: 'visible', timeout: 30_000 });
      } catch (err) {
        throw new Error(
          `the Web UI does not show the decrypted input (screenshot: ${await saveScreenshot(page, 'codec-failure')}): ${(err as Error).message.split('\n')[0]}`,
          { cause: err },
        );
      }
      await saveScreenshot(page, 'decrypted-input');

      await page.goto(`${webUiUrl}/namespaces/${stack.namespace}/workflows/${workflowIds[1]}`);
      try {
        await page.getByText(`public.${table}_missing`).first().waitFor({ state: 'visible', timeout: 30_000 });
      } catch (err) {
        throw new Error(
          `the Web UI does not show the decrypted failure message (screenshot: ${await saveScreenshot(page, 'codec-failure-message')}): ${(err as Error).message.split('\n')[0]}`,
          { cause: err },
        );
      }
      await saveScreenshot(page, 'decrypted-failure');
    } finally {
      await browser?.close();
      codec.stop();
    }
  });

  it('without FERRY_ENCRYPTION_KEYS payloads stay plain JSON, as before (and the scan above would see them)', async () => {
    const ferry = await startFerry(testConfig(source.name, target.name), { ...process.env, FERRY_ENCRYPTION_KEYS: undefined });
    try {
      const handle = await ferry.start('tableTransfer', input(), 'enc-plain');
      expect(await handle.result()).toMatchObject({ rows: 50 });
      const history = await storedHistory(handle.workflowId);
      expect(encodingOf(history)).toEqual({ encoding: 'json/plain', keyId: undefined });
      expect(history.includes(Buffer.from(table))).toBe(true);
      expect(history.includes(Buffer.from(queryText))).toBe(true);
    } finally {
      await ferry.stop();
    }
  });
});
