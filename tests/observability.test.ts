import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { localStackConfig, temporalSettings } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';
import { connect, createDatabase, uniqueName } from './support/databases';
import { repoRoot, spawnWorker } from './support/processes';
import { waitFor } from './support/wait';

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Sums the samples of `name` whose labels include every one of `labels`. */
function metricSum(text: string, name: string, labels: Record<string, string>): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}

type LogLine = Record<string, unknown> & { msg: string; level: string };

// The worker app as deployed: a process with FERRY_METRICS_PORT set. Its output must be JSON
// lines that name the transfer, and its /metrics must count what it moved.
describe('worker observability: JSON logs and Prometheus metrics', () => {
  let source: Awaited<ReturnType<typeof createDatabase>>;
  let target: Awaited<ReturnType<typeof createDatabase>>;
  let worker: ReturnType<typeof spawnWorker>;
  let client: Client;
  let metricsUrl: string;
  const taskQueue = uniqueName('ferry-obs');

  beforeAll(async () => {
    source = await createDatabase('ferry_obs_src');
    target = await createDatabase('ferry_obs_dst');
    const config = localStackConfig();
    config.connections.redshift.database = source.name;
    config.connections.postgres.database = target.name;
    const dir = mkdtempSync(path.join(tmpdir(), 'ferry-obs-'));
    mkdirSync(path.join(repoRoot, '.data/artifacts'), { recursive: true });
    writeFileSync(path.join(dir, 'ferry.json'), JSON.stringify(config));
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    worker = spawnWorker({
      FERRY_CONFIG: path.join(dir, 'ferry.json'),
      FERRY_TASK_QUEUE: taskQueue,
      FERRY_METRICS_PORT: String(port),
      FERRY_METRICS_HOST: '127.0.0.1',
      FERRY_LOG_LEVEL: 'info',
    });
    await waitFor('the worker to start', async () => worker.output().includes(`task queue ${taskQueue}`) || worker.child.exitCode !== null);
    expect(worker.child.exitCode).toBeNull();
    const temporal = temporalSettings();
    client = new Client({ connection: await Connection.connect(temporal.connection), namespace: temporal.namespace, dataConverter: ferryDataConverter() });
  });

  afterAll(async () => {
    await worker?.stop();
    // For a human: the worker's log lines of this run (.data is git-ignored).
    if (worker) {
      writeFileSync(path.join(repoRoot, '.data/artifacts/observability-worker.log'), worker.output());
    }
    await client?.connection.close();
    await source?.drop();
    await target?.drop();
  });

  it('logs every line as JSON with run, table and part, and exports row, byte and part counters next to the SDK metrics', async () => {
    const ROWS = 200_000;
    const [src, dst] = await Promise.all([connect(source.name), connect(target.name)]);
    // About 17 MB in four uncompressed parts: more than a tiny table (8 MB, loaded inside finalize), so the parts have loadPart activities.
    await src.query(`CREATE TABLE obs AS SELECT g AS id, md5(g::text) || repeat('x', 40) AS h FROM generate_series(1, ${ROWS}) g`);
    await dst.query(`CREATE TABLE obs (id integer PRIMARY KEY, h text)`);
    await Promise.all([src.end(), dst.end()]);

    const workflowId = uniqueName('transfer-public.obs');
    const handle = await client.workflow.start('tableTransfer', {
      taskQueue,
      workflowId,
      args: [
        {
          source: { connection: 'redshift', table: 'public.obs' },
          target: { connection: 'postgres', table: 'public.obs' },
          unload: { compression: 'none', maxFileSizeMb: 5 },
        },
      ],
    });
    const result = await handle.result();
    const run = handle.firstExecutionRunId;
    expect(result.rows).toBe(ROWS);
    const partsLoaded = result.parts - result.partsSkipped;
    expect(partsLoaded).toBeGreaterThanOrEqual(2);

    // Logs: finalize (which also cleans up) is the run's last activity; its completion line ends the run's lines.
    const lines = () =>
      worker
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '');
    await waitFor("the finalize activity's completion line", async () =>
      lines().some((l) => l.includes('"activity":"finalize"') && l.includes(run) && l.includes('activity completed')),
    );
    const parsed: LogLine[] = lines().map((l) => {
      try {
        return JSON.parse(l) as LogLine;
      } catch {
        throw new Error(`a worker output line is not JSON: ${l}`);
      }
    });
    for (const l of parsed) expect(l).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) }));

    const ofRun = parsed.filter((l) => l.run === run);
    // Every activity of the run logged its start and completion, naming run, table and workflow.
    const completed = ofRun.filter((l) => l.msg === 'activity completed');
    const loads = completed.filter((l) => l.activity === 'loadPart');
    expect(completed.filter((l) => l.activity !== 'loadPart').map((l) => l.activity)).toEqual(['prepare', 'unload', 'finalize']);
    expect(loads.length).toBeGreaterThanOrEqual(1);
    for (const l of ofRun) expect(l).toMatchObject({ table: 'public.obs', connection: 'postgres', workflowId, activity: expect.any(String) });
    expect(ofRun.filter((l) => l.msg === 'activity started')).toHaveLength(completed.length);

    // Part loads: each line of a loadPart names its part, or the first and last of a run of
    // small parts loaded in one activity; completions carry rows, bytes and duration.
    const loadLines = ofRun.filter((l) => l.activity === 'loadPart');
    for (const l of loadLines) expect(l.part).toMatch(/^\d{4}_part_\d{2}( … \d{4}_part_\d{2})?$/);
    for (const l of loads)
      expect(l).toMatchObject({ rows: expect.any(Number), bytes: expect.any(Number), durationMs: expect.any(Number), alreadyLoaded: false });
    expect(loads.reduce((n, l) => n + (l.rows as number), 0)).toBe(ROWS);
    // The activity's own lines ("part loaded", logged inside loadPart): one per part loaded.
    expect(loadLines.filter((l) => l.msg === 'part loaded')).toHaveLength(partsLoaded);
    expect(completed.find((l) => l.activity === 'finalize')).toMatchObject({ rows: ROWS });

    // Nothing secret: no task tokens, no S3 secret key from the environment.
    expect(parsed.some((l) => 'taskToken' in l)).toBe(false);
    expect(worker.output()).not.toContain(process.env.AWS_SECRET_ACCESS_KEY ?? 'ferry-local-secret');

    // Metrics: ferry's counters equal what moved; the SDK's own metrics are on the same endpoint.
    const bytesLoaded = loads.reduce((n, l) => n + (l.bytes as number), 0);
    if (result.partsSkipped === 0) expect(bytesLoaded).toBe(result.bytes);
    const table = { target_table: 'public.obs', target_connection: 'postgres' };
    const metrics = await waitFor(
      'the row counter to reach the rows moved',
      async () => {
        const text = await (await fetch(metricsUrl)).text();
        return metricSum(text, 'ferry_rows_loaded_total', table) === ROWS && text;
      },
      15_000,
    ).catch(async (err) => {
      throw new Error(
        `${(err as Error).message}; /metrics says:\n${(await (await fetch(metricsUrl)).text())
          .split('\n')
          .filter((l) => l.startsWith('ferry_'))
          .join('\n')}`,
      );
    });
    writeFileSync(path.join(repoRoot, '.data/artifacts/observability-metrics.txt'), metrics);
    expect(metricSum(metrics, 'ferry_rows_loaded_total', { ...table, activity_type: 'loadPart', task_queue: `${taskQueue}-load-postgres` })).toBe(ROWS);
    expect(metricSum(metrics, 'ferry_bytes_loaded_total', table)).toBe(bytesLoaded);
    expect(metricSum(metrics, 'ferry_parts_loaded_total', table)).toBe(partsLoaded);
    expect(metricSum(metrics, 'ferry_rows_published_total', table)).toBe(ROWS);
    expect(metrics).toMatch(/^# TYPE ferry_rows_loaded_total counter$/m);
    // Labelled like the SDK's metrics: snake_case only.
    expect(metrics).not.toMatch(/^ferry_\w+\{[^}]*(taskQueue|activityType)=/m);
    // The SDK's: one execution latency sample per loadPart, on the load queue.
    expect(metricSum(metrics, 'temporal_activity_execution_latency_count', { activity_type: 'loadPart', task_queue: `${taskQueue}-load-postgres` })).toBe(
      loads.length,
    );
    expect(metricSum(metrics, 'temporal_worker_task_slots_available', { task_queue: taskQueue })).toBeGreaterThan(0);
  });
});

describe('worker settings', () => {
  it('refuses an unknown FERRY_LOG_LEVEL with the allowed ones, before connecting anywhere', async () => {
    const worker = spawnWorker({ FERRY_LOG_LEVEL: 'loud' });
    await waitFor('the worker to exit', async () => worker.child.exitCode !== null);
    expect(worker.child.exitCode).toBe(1);
    expect(worker.output()).toBe('ferry worker: FERRY_LOG_LEVEL=loud is not a log level: use one of fatal, error, warn, info, debug, trace, silent\n');
  });
});
