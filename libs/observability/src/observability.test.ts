import { Writable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import { noopMetricMeter } from '@temporalio/common';
import { createLogger, TemporalPinoLogger } from './logger';
import { transferFields } from './transfer-fields';
import { transferActivityInterceptors, METRICS } from './activity-interceptors';
import { ferryRuntimeOptions, metricsBindAddress } from './runtime';

/** A pino logger whose lines land in an array, parsed. */
function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger({ level, destination }) };
}

/** A metric meter that records every counter add with its tags. */
function recordingMeter() {
  const adds: { name: string; value: number; tags: MetricTags }[] = [];
  const meter = (base: MetricTags): MetricMeter => ({
    createHistogram: (...a) => noopMetricMeter.createHistogram(...a),
    createGauge: (...a) => noopMetricMeter.createGauge(...a),
    createCounter: (name, unit, description) => ({
      ...noopMetricMeter.createCounter(name, unit, description),
      add: (value: number, extra?: MetricTags) => adds.push({ name, value, tags: { ...base, ...extra } }),
    }),
    withTags: (tags) => meter({ ...base, ...tags }),
  });
  return { adds, meter: meter({}) };
}

const plan = {
  runId: 'run-1',
  source: { connection: 'redshift', label: 'public.src', select: 'SELECT 1' },
  target: {
    connection: 'postgres',
    table: { schema: 'public', name: 'Orders' },
    staging: { schema: 'ferry_staging', name: 'x' },
    loadTaskQueue: 'ferry-load-postgres',
  },
};
const load = {
  runId: 'run-1',
  connection: 'postgres',
  table: { schema: 'public', name: 'Orders' },
  staging: plan.target.staging,
  loadMethod: 'copy',
  bucket: 'b',
  compression: 'gzip',
};
const registered = { attempt: 1, ordinal: 2, name: '0002_part_00.gz' };

describe('TemporalPinoLogger', () => {
  it('writes one JSON line per call: level word, message, metadata as fields, errors under err', () => {
    const { lines, logger } = capture();
    const log = new TemporalPinoLogger(logger);
    log.info('hello', { run: 'r', rows: 3 });
    log.warn('Activity failed', { error: new Error('boom'), durationMs: 5 });
    log.debug('hidden at info');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'hello', run: 'r', rows: 3, name: 'ferry-worker', time: expect.any(String) });
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'Activity failed', durationMs: 5, err: { type: 'Error', message: 'boom' } });
  });

  it("takes the time from the SDK's timestamp and drops other symbol keys", () => {
    const { lines, logger } = capture();
    const at = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
    new TemporalPinoLogger(logger).info('m', { [Symbol.for('log_timestamp')]: BigInt(at) * 1_000_000n, [Symbol('other')]: 1 });
    expect(lines[0].time).toBe('2025-01-02T03:04:05.678Z');
  });

  it('redacts secret-looking fields wherever a caller puts them', () => {
    const { lines, logger } = capture();
    new TemporalPinoLogger(logger).info('m', { password: 'p', connection: { password: 'q', host: 'h' }, taskToken: 't' });
    expect(lines[0]).toMatchObject({ password: '[redacted]', connection: { password: '[redacted]', host: 'h' }, taskToken: '[redacted]' });
  });
});

describe('transferFields', () => {
  it('reads run, table, connection and part from each activity input shape', () => {
    expect(transferFields([{ workflowId: 'w', runId: 'run-1', source: {}, target: { connection: 'postgres', table: 'public.orders' } }])).toEqual({
      run: 'run-1',
      table: 'public.orders',
      connection: 'postgres',
    });
    expect(transferFields([plan])).toEqual({ run: 'run-1', table: 'public."Orders"', connection: 'postgres' });
    expect(transferFields([{ plan, manifestRows: 1, importedRows: 1 }])).toEqual({ run: 'run-1', table: 'public."Orders"', connection: 'postgres' });
    // Parts by their number in the registry: named where the workflow knows the name.
    const fields = { run: 'run-1', table: 'public."Orders"', connection: 'postgres' };
    expect(transferFields([{ load, registered: { attempt: 1, ordinal: 7, name: '0007_part_00.gz' } }])).toEqual({ ...fields, part: '0007_part_00.gz' });
    expect(transferFields([{ load, registered: { attempt: 2, ordinal: 1234 } }])).toEqual({ ...fields, part: '#1234 of attempt 2' });
    expect(transferFields([{ load, registeredRun: { attempt: 1, from: 0, to: 4, names: ['0000_part_00.gz', '0003_part_00.gz'] } }])).toEqual({
      ...fields,
      part: '0000_part_00.gz … 0003_part_00.gz',
    });
    expect(transferFields([{ load, registeredRun: { attempt: 1, from: 0, to: 4 } }])).toEqual({ ...fields, part: '#0–3 of attempt 1' });
  });

  it('yields nothing for inputs of other shapes', () => {
    expect(transferFields([])).toEqual({});
    expect(transferFields(['x', 1])).toEqual({});
    expect(transferFields([{ something: 'else' }])).toEqual({});
  });
});

describe('transferActivityInterceptors', () => {
  function environment(activityType: string) {
    const { lines, logger } = capture();
    const { adds, meter } = recordingMeter();
    const env = new MockActivityEnvironment(
      { activityType, taskQueue: 'ferry-load-postgres' },
      { logger: new TemporalPinoLogger(logger), interceptors: [transferActivityInterceptors({ metricMeter: meter })] },
    );
    return { env, lines, adds };
  }

  it('puts the transfer on every activity line, logs start and completion, and counts a loaded part', async () => {
    const { env, lines, adds } = environment('loadPart');
    const result: { rows: number } = await env.run(
      async () => {
        const { log } = await import('@temporalio/activity');
        log.info('part loaded', { rows: 100 });
        return { rows: 100, bytes: 1234, alreadyLoaded: false, durationMs: 1 };
      },
      { load, registered },
    );
    expect(result.rows).toBe(100);
    const fields = { run: 'run-1', table: 'public."Orders"', connection: 'postgres', part: '0002_part_00.gz', activity: 'loadPart' };
    expect(lines.map((l) => l.msg)).toEqual(['activity started', 'part loaded', 'activity completed']);
    for (const l of lines) expect(l).toMatchObject(fields);
    for (const l of lines) expect(l).not.toHaveProperty('taskToken');
    expect(lines[2]).toMatchObject({ rows: 100, bytes: 1234, alreadyLoaded: false, durationMs: expect.any(Number) });
    const tags = {
      namespace: 'test',
      target_connection: 'postgres',
      target_table: 'public."Orders"',
      activity_type: 'loadPart',
      task_queue: 'ferry-load-postgres',
    };
    expect(adds).toEqual([
      { name: METRICS.rowsLoaded, value: 100, tags },
      { name: METRICS.bytesLoaded, value: 1234, tags },
      { name: METRICS.partsLoaded, value: 1, tags },
    ]);
  });

  it("does not count a part an earlier attempt loaded, and counts finalize's rows as published", async () => {
    const again = environment('loadPart');
    await again.env.run(async () => ({ rows: 100, bytes: 1234, alreadyLoaded: true, durationMs: 1 }), { load, registered });
    expect(again.adds).toEqual([]);
    const fin = environment('finalize');
    await fin.env.run(async () => ({ rows: 300, durationMs: 1 }), { plan, manifestRows: 300, importedRows: 300 });
    expect(fin.adds).toEqual([{ name: METRICS.rowsPublished, value: 300, tags: expect.objectContaining({ target_table: 'public."Orders"' }) }]);
    // A tiny table's parts load in finalize: counted as loaded too.
    const tiny = environment('finalize');
    await tiny.env.run(async () => ({ rows: 300, loaded: { parts: 3, rows: 300, bytes: 900 }, durationMs: 1 }), { plan, manifestRows: 300, importedRows: 300 });
    expect(tiny.adds.map((a) => [a.name, a.value])).toEqual([
      [METRICS.rowsPublished, 300],
      [METRICS.rowsLoaded, 300],
      [METRICS.bytesLoaded, 900],
      [METRICS.partsLoaded, 3],
    ]);
    // A small table moved by one activity: published and loaded there; one handed on counts nothing.
    const prepare = { workflowId: 'pipeline', runId: 'run-1', target: { connection: 'postgres', table: 'public.orders' } };
    const small = environment('transferSmallTable');
    await small.env.run(async () => ({ rows: 5, loaded: { parts: 1, rows: 5, bytes: 50 }, durationMs: 1 }), { prepare, maxRows: 10 });
    expect(small.adds).toEqual([
      { name: METRICS.rowsPublished, value: 5, tags: expect.objectContaining({ target_table: 'public.orders', target_connection: 'postgres' }) },
      { name: METRICS.rowsLoaded, value: 5, tags: expect.anything() },
      { name: METRICS.bytesLoaded, value: 50, tags: expect.anything() },
      { name: METRICS.partsLoaded, value: 1, tags: expect.anything() },
    ]);
    const handedOn = environment('transferSmallTable');
    await handedOn.env.run(async () => ({ handOff: 'not small' }), { prepare, maxRows: 10 });
    expect(handedOn.adds).toEqual([]);
  });

  it('counts what a run of parts loaded itself, and nothing for an empty part skipped', async () => {
    const run = environment('loadPart');
    await run.env.run(async () => ({ rows: 300, bytes: 3000, skipped: 1, alreadyLoaded: false, fresh: { parts: 2, rows: 200, bytes: 2000 }, durationMs: 1 }), {
      load,
      registeredRun: { attempt: 1, from: 0, to: 4 },
    });
    expect(run.adds.map((a) => [a.name, a.value])).toEqual([
      [METRICS.rowsLoaded, 200],
      [METRICS.bytesLoaded, 2000],
      [METRICS.partsLoaded, 2],
    ]);
    const empty = environment('loadPart');
    await empty.env.run(async () => ({ rows: 0, bytes: 0, skipped: 1, alreadyLoaded: false, durationMs: 0 }), { load, registered: { attempt: 1, ordinal: 3 } });
    expect(empty.adds).toEqual([]);
  });

  it('lets a failure through (the SDK logs it with the same fields) and counts nothing', async () => {
    const { env, lines, adds } = environment('loadPart');
    await expect(env.run(async () => Promise.reject(new Error('copy failed')), { load, registered })).rejects.toThrow('copy failed');
    expect(adds).toEqual([]);
    expect(lines.find((l) => l.msg === 'Activity failed')).toMatchObject({
      level: 'warn',
      part: '0002_part_00.gz',
      run: 'run-1',
      err: { message: 'copy failed' },
    });
  });
});

describe('runtime options', () => {
  it('reads the metrics address from FERRY_METRICS_PORT and FERRY_METRICS_HOST; none without a port', () => {
    expect(metricsBindAddress({})).toBeUndefined();
    expect(metricsBindAddress({ FERRY_METRICS_PORT: '' })).toBeUndefined();
    expect(metricsBindAddress({ FERRY_METRICS_PORT: '9464' })).toBe('0.0.0.0:9464');
    expect(metricsBindAddress({ FERRY_METRICS_PORT: '9464', FERRY_METRICS_HOST: '127.0.0.1' })).toBe('127.0.0.1:9464');
    expect(metricsBindAddress({ FERRY_METRICS_PORT: '9464', FERRY_METRICS_HOST: '::1' })).toBe('[::1]:9464');
    expect(() => metricsBindAddress({ FERRY_METRICS_PORT: 'abc' })).toThrow(/FERRY_METRICS_PORT must be a port number/);
    expect(() => metricsBindAddress({ FERRY_METRICS_PORT: '70000' })).toThrow(/FERRY_METRICS_PORT/);
  });

  it("forwards Core's logs to the pino logger and exports Prometheus metrics only when asked", () => {
    const { logger } = capture();
    const off = ferryRuntimeOptions({ logger });
    expect(off.logger).toBeInstanceOf(TemporalPinoLogger);
    expect(off.telemetryOptions?.metrics).toBeUndefined();
    expect(off.telemetryOptions?.logging).toMatchObject({ forward: {} });
    expect(ferryRuntimeOptions({ logger, metricsBindAddress: '0.0.0.0:9464' }).telemetryOptions?.metrics).toEqual({
      prometheus: { bindAddress: '0.0.0.0:9464' },
    });
  });
});
