import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { PipelineRunResult, TableTransferInput, TableTransferResult } from '@ferry/workflows';
import { TABLE } from './databases';
import { inLanes, timed } from './processes';
import { temporalSettings } from '@ferry/config';
import { ferryDataConverter } from '@ferry/codec';

export interface FerryKnobs {
  method: 'copy' | 'aws_s3';
  compression: 'gzip' | 'none';
  maxFileSizeMb: number;
  parallelLoads: number;
  unloadParallel: boolean;
  /** `checksum`: the checksum gate (docs/verification.md). */
  verify?: 'counts' | 'checksum';
}

export interface FerryRun {
  /** Start to result, as the client sees it: includes Temporal's scheduling. */
  wallMs: number;
  result: TableTransferResult;
}

/** A Temporal client for starting the bench's workflows on the bench worker's task queue. */
export async function connectClient(): Promise<Client> {
  const { connection: options, namespace } = temporalSettings();
  const connection = await Connection.connect(options);
  return new Client({ connection, namespace, dataConverter: ferryDataConverter() });
}

let sequence = 0;
/** Unique per bench process and run, so reruns never collide with an open workflow id. */
const workflowId = (what: string) => `bench-${what}-${process.pid}-${Date.now()}-${++sequence}`;

/**
 * One tableTransfer, timed from start to result. With `timeoutMs`, a workflow still open by
 * then is terminated and the run fails: an activity error ferry retries (an UNLOAD statement
 * the source refuses, say) would otherwise keep the bench waiting for ever.
 */
export async function ferryTransfer(
  client: Client,
  taskQueue: string,
  knobs: FerryKnobs,
  table = TABLE,
  timeoutMs?: number,
  target: TableTransferInput['target'] = { connection: 'postgres', table, mode: 'replace' },
): Promise<FerryRun> {
  const input: TableTransferInput = {
    source: { connection: 'redshift', table },
    target,
    unload: { compression: knobs.compression, maxFileSizeMb: knobs.maxFileSizeMb, parallel: knobs.unloadParallel },
    load: { maxParallelLoads: knobs.parallelLoads, method: knobs.method },
    ...(knobs.verify && { verify: knobs.verify }),
  };
  const { ms, value } = await timed(async () => {
    const handle = await client.workflow.start('tableTransfer', { taskQueue, workflowId: workflowId(`transfer-${knobs.method}`), args: [input] });
    if (timeoutMs === undefined) return (await handle.result()) as TableTransferResult;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`tableTransfer of ${table} did not finish within ${timeoutMs / 1000} s (workflow ${handle.workflowId}; see the worker log)`)),
        timeoutMs,
      );
    });
    try {
      return (await Promise.race([handle.result(), timeout])) as TableTransferResult;
    } catch (err) {
      await handle.terminate('bench gave up').catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  });
  return { wallMs: ms, result: value };
}

/**
 * Many small tables as separate tableTransfer workflows, `parallel` at a time, started by
 * this client. It isolates ferry's fixed cost per table (Temporal round trips, prepare,
 * UNLOAD, one part, finalize, cleanup) and works whether or not pipelineRun exists.
 */
export async function transferTables(
  client: Client,
  taskQueue: string,
  tables: string[],
  parallel: number,
  unloadParallel: boolean,
): Promise<{ ms: number; perTable: TableTransferResult[] }> {
  const { ms, value } = await timed(() =>
    inLanes(
      tables,
      parallel,
      (table) =>
        client.workflow.execute('tableTransfer', {
          taskQueue,
          workflowId: workflowId(`table-${table}`),
          args: [
            {
              source: { connection: 'redshift', table },
              target: { connection: 'postgres', table, mode: 'replace' },
              unload: { parallel: unloadParallel },
            } satisfies TableTransferInput,
          ],
        }) as Promise<TableTransferResult>,
    ),
  );
  return { ms, perTable: value };
}

/**
 * Whether the checkout's workflows export `pipelineRun` (it was written alongside the bench). A workflow type the worker does not
 * register is not an error Temporal reports to the client — its workflow task just fails
 * and is retried — so the bench looks before it starts one.
 */
export function pipelineRunAvailable(root: string): boolean {
  const index = path.join(root, 'libs/workflows/src/index.ts');
  return existsSync(index) && /\bpipelineRun\b/.test(readFileSync(index, 'utf8'));
}

/** The planned pipelineRun input: the same tables, defaults for source and target, maxParallelTables at once. */
export function pipelineInput(tables: string[], maxParallelTables: number, unloadParallel: boolean) {
  return {
    name: 'bench',
    maxParallelTables,
    defaults: {
      source: { connection: 'redshift' },
      target: { connection: 'postgres', mode: 'replace' },
      ...(unloadParallel ? {} : { unload: { parallel: false } }),
    },
    tables: tables.map((table) => ({ source: { table }, target: { table } })),
  };
}

export async function runPipeline(
  client: Client,
  taskQueue: string,
  tables: string[],
  maxParallelTables: number,
  unloadParallel: boolean,
  timeoutMs: number,
): Promise<{ ms: number; result: PipelineRunResult; workflowId: string }> {
  const started = process.hrtime.bigint();
  const handle = await client.workflow.start('pipelineRun', {
    taskQueue,
    workflowId: workflowId('pipeline'),
    args: [pipelineInput(tables, maxParallelTables, unloadParallel)],
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`pipelineRun did not finish within ${timeoutMs / 1000} s (workflow ${handle.workflowId})`)), timeoutMs);
  });
  try {
    const result = (await Promise.race([handle.result(), timeout])) as PipelineRunResult;
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, result, workflowId: handle.workflowId };
  } catch (err) {
    await handle.terminate('bench gave up').catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The median of each phase over a pipeline's tables: where a small table's time goes. A table
 * moved by one activity reports its phases in that activity's result (in the pipeline's
 * history); any other in its child tableTransfer's result.
 */
export async function phaseMedians(client: Client, pipelineWorkflowId: string, tables: string[]): Promise<Record<string, number>> {
  const history = await client.workflow.getHandle(pipelineWorkflowId).fetchHistory();
  const inActivities = (history.events ?? [])
    .map((e) => e.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data)
    .filter((data): data is Uint8Array => !!data)
    .map((data) => JSON.parse(Buffer.from(data).toString('utf8')) as { durationsMs?: Record<string, number> })
    .filter((r) => r.durationsMs);
  const children = tables.length - inActivities.length;
  const results = [
    ...inActivities,
    ...(children > 0
      ? await Promise.all(
          tables.map((t) =>
            client.workflow
              .getHandle(`${pipelineWorkflowId}:${t}`)
              .result()
              .catch(() => undefined),
          ),
        )
      : []
    ).filter((r): r is { durationsMs: Record<string, number> } => !!r),
  ] as { durationsMs: Record<string, number> }[];
  const phases = Object.keys(results[0]?.durationsMs ?? {});
  return Object.fromEntries(
    phases.map((phase) => {
      const sorted = results.map((r) => r.durationsMs[phase]).sort((a, b) => a - b);
      return [phase, sorted[Math.floor(sorted.length / 2)]];
    }),
  );
}
