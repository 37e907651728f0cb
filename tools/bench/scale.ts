// `npm run bench:scale -- [--only table|schema] [--parts N] [--tables N]`: the shape of a huge
// table and a huge schema on this machine, not in CI. A table whose UNLOAD writes N parts
// (redshift-local's test-only REDSHIFT_LOCAL_TEST_PART_BYTES: one row per part) and a schema
// of N one-row tables discovered and migrated by one pipelineRun. For each: whether it
// completed, the largest history (events, bytes) over every run and child, history bytes per
// part or table, time per part or table, and this process's peak RSS (the worker runs here).
import { readFileSync } from 'node:fs';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { installRedshiftTypes, startRedshiftLocal } from '@ferry/redshift-local';
import { connect, createDatabase, fingerprint } from '../../tests/support/databases';
import { stack } from '../../tests/support/env';
import { startFerry, testConfig } from '../../tests/support/ferry';

interface Options {
  only: ('table' | 'schema')[];
  parts: number;
  tables: number;
}

function parse(argv: string[]): Options {
  const o: Options = { only: ['table', 'schema'], parts: 20_000, tables: 5_000 };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i];
    if (argv[i] === '--only') o.only = value().split(',') as Options['only'];
    else if (argv[i] === '--parts') o.parts = Number(value());
    else if (argv[i] === '--tables') o.tables = Number(value());
    else throw new Error(`unknown option ${argv[i]}: --only table|schema, --parts N, --tables N`);
  }
  return o;
}

const log = (line: string) => console.log(`scale: ${line}`);
const peakRssMb = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

interface History {
  workflowId: string;
  runs: number;
  events: number;
  bytes: number;
}

/** Every run of a workflow (following continue-as-new): the largest run's events and bytes. */
async function historyOf(client: Client, workflowId: string, firstRunId?: string): Promise<History> {
  const h: History = { workflowId, runs: 0, events: 0, bytes: 0 };
  for (let runId = firstRunId; ;) {
    const handle: WorkflowHandle = client.workflow.getHandle(workflowId, runId);
    const d = await handle.describe();
    h.runs++;
    h.events = Math.max(h.events, d.historyLength);
    h.bytes = Math.max(h.bytes, d.historySize ?? 0);
    if (d.status.name !== 'CONTINUED_AS_NEW') return h;
    const last = (await handle.fetchHistory()).events?.at(-1);
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    if (!runId) return h;
  }
}

const fmt = (h: History) => `${h.events.toLocaleString('en-US')} events, ${(h.bytes / 1e6).toFixed(2)} MB (${h.runs} run${h.runs > 1 ? 's' : ''})`;

async function main() {
  const o = parse(process.argv.slice(2));
  const source = await createDatabase('ferry_scale_src');
  const target = await createDatabase('ferry_scale_dst');
  await installRedshiftTypes(source.name);
  const rl = await startRedshiftLocal({ port: 0, backendHost: stack.pg.host, backendPort: stack.pg.port, testPartBytes: 64, log: () => undefined });
  const config = testConfig(source.name, target.name);
  config.connections.redshift = { ...config.connections.redshift, port: rl.port } as typeof config.connections.redshift;
  const ferry = await startFerry(config);
  const src = await connect(source.name);
  const dst = await connect(target.name);
  try {
    if (o.only.includes('table')) {
      // 39 bytes a row ("id|md5\n") against 64-byte parts: one row per part.
      await src.query(`CREATE TABLE huge AS SELECT g AS id, md5(g::text) AS h FROM generate_series(1, ${o.parts}) g`);
      await dst.query(`CREATE TABLE huge (id int PRIMARY KEY, h text)`);
      log(`table: ${o.parts} rows, one part each`);
      const started = Date.now();
      const handle = await ferry.start(
        'tableTransfer',
        {
          source: { connection: 'redshift', table: 'huge' },
          target: { connection: 'postgres', table: 'huge' },
          unload: { compression: 'none' },
          load: { maxParallelLoads: 8 },
        },
        'scale-table',
      );
      const outcome = await handle.result().then(
        (r: { rows: number; parts: number }) => `completed: ${r.rows} rows in ${r.parts} parts`,
        (err: Error & { cause?: Error }) => `failed: ${err.cause?.message ?? err.message}`,
      );
      const ms = Date.now() - started;
      const h = await historyOf(ferry.client, handle.workflowId, handle.firstExecutionRunId);
      // The child workflows that loaded ranges of parts (loadPartRange): the largest of them, and all together.
      const children = ((await handle.fetchHistory()).events ?? []).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
      const ranges = await Promise.all(children.map((id) => historyOf(ferry.client, id)));
      const largestRange = ranges.reduce<History | undefined>((a, r) => (a && a.bytes >= r.bytes ? a : r), undefined);
      const allBytes = ranges.reduce((n, r) => n + r.bytes, h.bytes);
      const same = JSON.stringify(await fingerprint(dst, 'huge', 'id')) === JSON.stringify(await fingerprint(src, 'huge', 'id'));
      log(`table: ${outcome.slice(0, 400)}; target ${same ? 'equals' : 'DIFFERS FROM'} the source value by value`);
      log(
        `table: ${(ms / 1000).toFixed(0)} s, ${(ms / o.parts).toFixed(1)} ms per part; the table's history ${fmt(h)}; ` +
          `${ranges.length} child range(s)${largestRange ? `, the largest ${fmt(largestRange)}` : ''}; ` +
          `${(allBytes / o.parts).toFixed(0)} history bytes per part over all histories; peak RSS ${peakRssMb().toFixed(0)} MB`,
      );
    }
    if (o.only.includes('schema')) {
      await src.query('CREATE SCHEMA wide_schema');
      for (let from = 0; from < o.tables; from += 500) {
        const batch = Array.from({ length: Math.min(500, o.tables - from) }, (_, i) => `t${String(from + i).padStart(5, '0')}`);
        await src.query(batch.map((t) => `CREATE TABLE wide_schema.${t} (id int, note text); INSERT INTO wide_schema.${t} VALUES (1, '${t}');`).join('\n'));
      }
      log(`schema: ${o.tables} one-row tables`);
      const started = Date.now();
      const handle = await ferry.start(
        'pipelineRun',
        {
          name: 'scale',
          maxParallelTables: 8,
          defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', create: 'ifMissing' } },
          tables: [{ name: 'wide', source: { schema: 'wide_schema' }, target: { schema: 'wide_copy' } }],
        },
        'scale-schema',
      );
      const outcome = await handle.result().then(
        (r: { succeeded: number; failed: number; skipped: number; rows: number; tables: unknown[]; unlisted?: number }) =>
          `completed: ${r.succeeded} succeeded, ${r.failed} failed, ${r.skipped} skipped, ${r.rows} rows; the result lists ${r.tables.length} tables, ` +
          `${r.unlisted ?? 0} unlisted, ${JSON.stringify(r).length} bytes`,
        (err: Error & { cause?: Error }) => `failed: ${err.cause?.message ?? err.message}`,
      );
      const ms = Date.now() - started;
      const h = await historyOf(ferry.client, handle.workflowId, handle.firstExecutionRunId);
      // One child of each kind tells a child's size: every table here is alike. A small table has none.
      const child = await historyOf(ferry.client, `${handle.workflowId}:wide.t00000`).catch(() => undefined);
      const moved = Number((await dst.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'wide_copy'`)).rows[0].n);
      log(`schema: ${outcome.slice(0, 400)}; ${moved} target tables`);
      log(
        `schema: ${(ms / 1000).toFixed(0)} s, ${(ms / o.tables).toFixed(0)} ms per table; largest pipeline history ${fmt(h)}, ` +
          `${h.runs === 1 ? `${(h.bytes / o.tables).toFixed(0)} history bytes per table; ` : ''}${child ? `a table's own history ${fmt(child)}` : 'no table workflows (each table moved by one activity of the pipeline)'}; peak RSS ${peakRssMb().toFixed(0)} MB`,
      );
    }
  } finally {
    await ferry.stop();
    await rl.close();
    await Promise.all([src.end(), dst.end()]);
    await source.drop();
    await target.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
