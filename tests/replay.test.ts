import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { ferryDataConverter } from '@ferry/codec';

// Replays recorded histories (tools/test/record-histories.ts) against today's workflow code:
// a change that would break running workflows fails here with a nondeterminism error.
describe('workflow determinism', () => {
  const dir = path.join(__dirname, 'histories');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  // Table transfers replay from the parts registry on: histories recorded before it (no
  // `parts-registry` marker) took paths this code no longer has (docs/deploy.md, "Rolling out
  // a new version").
  it('has recorded histories of table transfers recorded by this code (a success, a retry, a cancellation, the checksum gate, a first sync and a sync of differing segments, loads overlapping the UNLOAD, an unload retried after parts were loaded) and by the build before it (registry runs with child ranges, one of them retried, and a tiny table loaded inside finalize), of pipelines (a failure, one that continued as new: its first and last run, small tables moved by one activity each, a discovered schema) and of a verification', () => {
    expect(files.sort()).toEqual([
      'cancel.json',
      'checksum.json',
      'discovery.json',
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
      'sync-full.json',
      'sync.json',
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
