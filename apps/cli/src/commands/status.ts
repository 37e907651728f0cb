import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TemporalSettings } from '@ferry/config';
import type { PipelineProgress, TransferProgress } from '@ferry/workflows';
import { uiLink, withTemporal, type TemporalOptions } from '../temporal';

const FERRY_RUNS = `WorkflowType = 'pipelineRun' OR WorkflowType = 'tableTransfer'`;

/** `ferry status`: recent runs; `ferry status <workflow-id>`: one run in detail. */
export async function status(workflowId: string | undefined, options: { limit: number }, temporal: TemporalOptions): Promise<void> {
  await withTemporal(temporal, (client, settings) => (workflowId ? showRun(client, workflowId, settings) : listRuns(client, options.limit)));
}

async function listRuns(client: Client, limit: number): Promise<void> {
  let n = 0;
  for await (const w of client.workflow.list({ query: FERRY_RUNS })) {
    const what = w.searchAttributes.FerryTable ?? w.searchAttributes.FerryPipeline ?? [];
    console.log(`${w.status.name.padEnd(10)} ${w.type.padEnd(14)} ${w.startTime.toISOString()}  ${w.workflowId}${what.length ? `  (${what.join(', ')})` : ''}`);
    if (++n >= limit) break;
  }
  if (n === 0) console.log('no ferry runs yet (start one with `ferry run <file>`)');
}

async function showRun(client: Client, workflowId: string, temporal: TemporalSettings): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  let d;
  try {
    d = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new Error(`no workflow ${workflowId} in namespace ${temporal.namespace}: \`ferry status\` lists recent runs`, { cause: err });
    throw err;
  }
  console.log(`${d.type} ${workflowId}: ${d.status.name}, started ${d.startTime.toISOString()}${d.closeTime ? `, closed ${d.closeTime.toISOString()}` : ''}`);
  console.log(`  ${uiLink(temporal, workflowId)}`);
  if (d.status.name === 'RUNNING') {
    const progress = (await handle.query('progress')) as PipelineProgress | TransferProgress;
    console.log(`  progress: ${JSON.stringify(progress)}`);
  } else if (d.status.name === 'COMPLETED') {
    console.log(`  result: ${JSON.stringify(await handle.result())}`);
  } else if (d.status.name === 'FAILED') {
    const failure = await handle.result().catch((err: Error & { cause?: Error }) => err.cause ?? err);
    console.log(`  failure: ${(failure as Error).message}`);
  }
}
