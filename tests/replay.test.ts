import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { ferryDataConverter } from '@ferry/codec';

// Replays recorded histories (tools/test/record-histories.ts) against today's workflow code:
// a change that would break running workflows fails here with a nondeterminism error.
describe('workflow determinism', () => {
  const dir = path.join(__dirname, 'histories');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('has recorded histories of a success, a retry, a cancellation, a pipeline with a failure, a pipeline that continued as new (its first and last run), the checksum gate, a discovered schema, a verification, loads overlapping the UNLOAD and an unload retried after parts were loaded (before the parts registry and with it, child ranges included), a tiny table loaded inside finalize, and small tables of a pipeline moved by one activity each', () => {
    expect(files.sort()).toEqual([
      'cancel.json',
      'checksum.json',
      'discovery.json',
      'finalize-cleans-up.json',
      'overlap-retry.json',
      'overlap.json',
      'pipeline-continued.2.json',
      'pipeline-continued.json',
      'pipeline-small.json',
      'pipeline.json',
      'registry-range.json',
      'registry-retry.json',
      'registry.json',
      'retry.json',
      'success.json',
      'tiny.json',
      'verify.json',
    ]);
  });

  it('replays every recorded history without a nondeterminism error', async () => {
    // The recorded runs' own ids (record-histories.ts): child workflow ids derive from them.
    // `<name>.<n>.json` is a later run of the same workflow.
    const histories = files.map((f) => ({
      workflowId: `replay-${path.basename(f, '.json').replace(/\.\d+$/, '')}`,
      history: JSON.parse(readFileSync(path.join(dir, f), 'utf8')),
    }));
    const results = Worker.runReplayHistories({ workflowsPath: require.resolve('@ferry/workflows'), dataConverter: ferryDataConverter() }, histories);
    const failures: string[] = [];
    for await (const r of results) {
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
