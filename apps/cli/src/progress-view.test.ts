import type { Client } from '@temporalio/client';
import type { PipelineProgress, TableOutcome } from '@ferry/workflows';
import { watchPipeline } from './progress-view';

/** A stand-in client whose queries answer from `progress` (the pipeline) and `phases` (its children). */
function fakeClient(progress: () => Partial<PipelineProgress>, phases: Record<string, object>): Client {
  return {
    workflow: {
      getHandle: (id: string) => ({ query: async () => phases[id] ?? progress() }),
    },
  } as unknown as Client;
}

function fakeOut(isTTY: boolean) {
  const writes: string[] = [];
  return { out: { isTTY, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream, writes };
}

const table = (name: string, status: TableOutcome['status'], extra: Partial<TableOutcome> = {}): TableOutcome => ({
  name,
  target: `public.${name}`,
  status,
  workflowId: `p:${name}`,
  ...extra,
});

describe('watchPipeline', () => {
  it("on a terminal, redraws the table in place with each running table's phase", async () => {
    const { out, writes } = fakeOut(true);
    const client = fakeClient(
      () => ({
        tables: [
          table('a', 'succeeded', { rows: 1500, durationMs: 2000 }),
          table('b', 'running'),
          table('s', 'running', { ranAs: 'activity' }),
          table('c', 'pending'),
        ],
      }),
      {
        'p:b': { phase: 'loading', partsDone: 1, partsTotal: 4, partsSkipped: 0, rowsLoaded: 2500 },
      },
    );
    const stop = watchPipeline(client, 'p', out);
    await new Promise((r) => setTimeout(r, 1300));
    await stop({
      name: 'p',
      succeeded: 3,
      failed: 0,
      skipped: 0,
      rows: 1500,
      durationMs: 5000,
      tables: [
        table('a', 'succeeded', { rows: 1500, durationMs: 2000 }),
        table('b', 'succeeded', { rows: 10, durationMs: 1000 }),
        table('c', 'failed', { reason: 'boom' }),
      ],
    });
    expect(writes[0]).toBe(
      [
        '✓ a                        succeeded: 1,500 rows in 2.0 s',
        '▸ b                        running: loading 1/4 parts, 2,500 rows',
        // A small table moved by one activity has no workflow of its own to ask.
        '▸ s                        running: moving as a small table',
        '· c                        pending',
        '',
      ].join('\n'),
    );
    // Later frames first move the cursor up over the previous one and clear it.
    expect(writes.at(-2)).toBe('\x1b[4A\x1b[J');
    expect(writes.at(-1)).toContain('✗ c                        failed: boom');
  });

  it('elsewhere, prints one plain line per change', async () => {
    const { out, writes } = fakeOut(false);
    let state = [table('a', 'running'), table('b', 'pending')];
    const client = fakeClient(() => ({ tables: state }), {});
    const stop = watchPipeline(client, 'p', out);
    await new Promise((r) => setTimeout(r, 1300));
    state = [table('a', 'succeeded', { rows: 5, durationMs: 100 }), table('b', 'running')];
    await stop({ name: 'p', succeeded: 1, failed: 0, skipped: 1, rows: 5, durationMs: 1, tables: [state[0], table('b', 'skipped', { reason: 'a failed' })] });
    expect(writes).toEqual(['a: running\n', 'b: pending\n', 'a: succeeded: 5 rows in 0.1 s\n', 'b: skipped: a failed\n']);
  });
});
