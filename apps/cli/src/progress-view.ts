import type { Client } from '@temporalio/client';
import type { PipelineProgress, PipelineRunResult, TableOutcome, TransferProgress } from '@ferry/workflows';

const MARK: Record<TableOutcome['status'], string> = { pending: '·', running: '▸', succeeded: '✓', failed: '✗', skipped: '–' };

/**
 * Follows a pipelineRun through its `progress` query. On a terminal the table redraws in
 * place, with each running table's phase; elsewhere (logs, CI) each change is one plain line.
 * Returns a function that stops watching and prints the final state.
 */
export function watchPipeline(client: Client, workflowId: string, out: NodeJS.WriteStream): (final?: PipelineRunResult) => Promise<void> {
  const live = Boolean(out.isTTY);
  let drawn = 0;
  const said = new Map<string, string>();
  let stopped = false;

  const show = (tables: TableOutcome[], phases: Map<string, string>) => {
    if (live) {
      if (drawn > 0) out.write(`\x1b[${drawn}A\x1b[J`);
      const lines = tables.map((t) => `${MARK[t.status]} ${t.name.padEnd(24)} ${describe(t, phases.get(t.name))}`);
      out.write(lines.join('\n') + '\n');
      drawn = lines.length;
      return;
    }
    for (const t of tables) {
      const line = `${t.name}: ${describe(t)}`;
      if (said.get(t.name) !== line) out.write(`${line}\n`);
      said.set(t.name, line);
    }
  };

  const poll = async () => {
    while (!stopped) {
      try {
        const progress = (await client.workflow.getHandle(workflowId).query('progress')) as PipelineProgress;
        if (!stopped) show(progress.tables, live ? await phasesOf(client, progress.tables) : new Map());
      } catch {
        // Not queryable yet (no worker has picked it up) or just closed: try again.
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  const polling = poll();

  return async (final) => {
    stopped = true;
    await polling;
    if (final) show(final.tables, new Map());
  };
}

async function phasesOf(client: Client, tables: TableOutcome[]): Promise<Map<string, string>> {
  const running = tables.filter((t) => t.status === 'running');
  const phases = await Promise.all(
    running.map(async (t) => {
      // A small table moved by one activity of the pipeline has no workflow to ask.
      if (t.ranAs === 'activity') return 'moving as a small table';
      try {
        const p = (await client.workflow.getHandle(t.workflowId).query('progress')) as TransferProgress;
        return p.phase === 'loading' ? `loading ${p.partsDone}/${p.partsTotal - p.partsSkipped} parts, ${p.rowsLoaded.toLocaleString('en-US')} rows` : p.phase;
      } catch {
        return 'starting';
      }
    }),
  );
  return new Map(running.map((t, i) => [t.name, phases[i]]));
}

function describe(t: TableOutcome, phase?: string): string {
  switch (t.status) {
    case 'succeeded':
      return `succeeded: ${t.rows?.toLocaleString('en-US')} rows in ${((t.durationMs ?? 0) / 1000).toFixed(1)} s`;
    case 'failed':
      return `failed: ${t.reason}`;
    case 'skipped':
      return `skipped: ${t.reason}`;
    case 'running':
      return phase ? `running: ${phase}` : 'running';
    default:
      return 'pending';
  }
}
