import { WorkflowFailedError, type Client } from '@temporalio/client';
import { selectTables, toPipelineInput, type ResolvedPipeline } from '@ferry/pipeline';
import { readPipelineFile } from '@ferry/pipeline/file';
import { ferrySearchAttributes, type PipelineRunResult } from '@ferry/workflows';
import { runWorkflowId } from '../ids';
import { uiLink, withTemporal, type TemporalOptions } from '../temporal';
import { watchPipeline } from '../progress-view';
import { tableCount } from '../pipeline-config';

export interface RunOptions {
  table?: string[];
  wait?: boolean;
}

/** `ferry run <file>`: starts a pipelineRun; with --wait, follows it and exits 1 if it fails. */
export async function run(file: string, options: RunOptions, temporal: TemporalOptions): Promise<number> {
  let pipeline = readPipelineFile(file);
  if (options.table?.length) pipeline = selectTables(pipeline, options.table);
  return withTemporal(temporal, async (client, settings) => {
    const handle = await startPipeline(client, pipeline, settings.taskQueue);
    console.log(`started ${handle.workflowId} (${tableCount(pipeline)}): ${uiLink(settings, handle.workflowId)}`);
    if (!options.wait) return 0;
    const stopWatching = watchPipeline(client, handle.workflowId, process.stdout);
    try {
      const result = (await handle.result()) as PipelineRunResult;
      await stopWatching(result);
      console.log(`pipeline ${result.name} succeeded: ${result.succeeded} table(s), ${totalRows(result)} rows in ${(result.durationMs / 1000).toFixed(1)} s`);
      return 0;
    } catch (err) {
      const outcome = err instanceof WorkflowFailedError ? ((err.cause as { details?: unknown[] })?.details?.[0] as PipelineRunResult | undefined) : undefined;
      await stopWatching(outcome);
      throw new Error(err instanceof WorkflowFailedError ? (err.cause?.message ?? err.message) : (err as Error).message, { cause: err });
    }
  });
}

export function startPipeline(client: Client, pipeline: ResolvedPipeline, taskQueue: string) {
  return client.workflow.start('pipelineRun', {
    taskQueue,
    workflowId: runWorkflowId(pipeline.name),
    args: [toPipelineInput(pipeline)],
    staticSummary: `pipeline ${pipeline.name}: ${tableCount(pipeline)}`,
    typedSearchAttributes: ferrySearchAttributes({ pipeline: pipeline.name }),
  });
}

function totalRows(result: PipelineRunResult): string {
  // Results of runs before the total was reported: every table is listed.
  return (result.rows ?? result.tables.reduce((n, t) => n + (t.rows ?? 0), 0)).toLocaleString('en-US');
}
