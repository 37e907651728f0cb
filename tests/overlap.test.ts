import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, listObjects, s3SettingsFromEnv } from '@ferry/s3';
import { connect, fingerprint } from './support/databases';
import { stack } from './support/env';
import { transferFixture } from './support/ferry';
import { activities, gatedSource, loadedOrdinals, signals } from './support/unload-gate';
import { waitFor } from './support/wait';

// Parts are loaded while the UNLOAD still runs (ARCHITECTURE.md, "A run, step by step").
// The source's UNLOAD waits at a gate the test holds, so "a part was loaded before the
// unload finished" is an order of events in history, not a race.
describe('loads overlap the UNLOAD', () => {
  const env = transferFixture('overlap');
  const s3 = createS3Client(s3SettingsFromEnv());
  // Uncompressed 5 MB parts, so several complete while the UNLOAD waits at its gate.
  const startGated = (query: string, table: string, load: Record<string, number> = {}, extra: Record<string, unknown> = {}) =>
    env.ferry.start(
      'tableTransfer',
      {
        source: { connection: 'redshift', query },
        target: { connection: 'postgres', table },
        unload: { maxFileSizeMb: 5, compression: 'none' },
        load: { maxParallelLoads: 2, ...load },
        ...extra,
      },
      table,
    );

  it('loads a part before the unload activity completes, and the target equals the source value by value', async () => {
    const holder = await connect(env.sourceDb);
    try {
      const gate = await gatedSource(env.src, holder, 'overlap_big');
      await env.dst.query(`CREATE TABLE overlap_big (id int PRIMARY KEY, h text, pad text)`);
      await env.dst.query(`INSERT INTO overlap_big VALUES (0, 'old', 'old')`);
      await gate.close();
      const handle = await startGated(gate.query, 'overlap_big');
      const during = await waitFor('a part loaded while the UNLOAD waits', async () => {
        const p = await handle.query<{ phase: string; partsDone: number; partsTotal: number }>('progress');
        return p.partsDone > 0 ? p : undefined;
      });
      // The manifest does not exist yet: the total is unknown.
      expect(during).toMatchObject({ phase: 'unloading', partsTotal: 0 });
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toMatch(/^unloading .*; loaded \d+ part\(s\) so far, [\d,]+ rows \(the total is known when the UNLOAD ends\)$/);
      await gate.open();
      const result = await handle.result();

      const events = (await handle.fetchHistory()).events!;
      const acts = activities(events);
      const unload = acts.find((a) => a.type === 'unload')!;
      const loads = acts.filter((a) => a.type === 'loadPart');
      expect(loads.filter((l) => l.closed! < unload.closed!).length).toBeGreaterThan(0);
      expect(signals(events).filter((s) => s.name === 'partsRegistered' && s.index < unload.closed!).length).toBeGreaterThan(0);
      // The parts are in the target's registry, not in history: every registered part loaded exactly once, by its number, nothing reset.
      const registered = unload.result.partsRegistered as number;
      expect(unload.result).not.toHaveProperty('parts');
      expect(loadedOrdinals(loads)).toEqual(Array.from({ length: registered }, (_, i) => i));
      expect(acts.some((a) => a.type === 'resetStaging')).toBe(false);
      expect(result).toMatchObject({ rows: 260_000, parts: registered });
      expect(await fingerprint(env.dst, 'overlap_big', 'id')).toEqual(await fingerprint(env.src, 'overlap_big', 'id'));
    } finally {
      await holder.end();
    }
  });

  it("a loaded part the manifest does not list: staging is reset and gets exactly the manifest's parts", async () => {
    const holder = await connect(env.sourceDb);
    try {
      const gate = await gatedSource(env.src, holder, 'overlap_stray');
      await env.dst.query(`CREATE TABLE overlap_stray (id int PRIMARY KEY, h text, pad text)`);
      await gate.close();
      // verify: counts — the stray object carries no row hashes, so under the checksum gate its load would be refused
      // outright (BadData); this test is about the manifest proof catching a part that loaded.
      const handle = await startGated(gate.query, 'overlap_stray', {}, { verify: 'counts' });
      // While the UNLOAD waits, an object the UNLOAD did not write appears in its folder (this run's: the run id names it).
      const folder = await waitFor('the attempt folder', async () => {
        for await (const o of listObjects(s3, stack.bucket, `ferry/public.overlap_stray/${handle.firstExecutionRunId}/`)) {
          const at = o.key.indexOf('attempt-1/');
          if (at > 0) return o.key.slice(0, at + 'attempt-1/'.length);
        }
        return undefined;
      });
      const stray = `${folder}9999_part_00`;
      await s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: stray, Body: '999999|stray|stray\n' }));
      await waitFor('the stray part loaded', async () => (await env.dst.query(`SELECT 1 FROM ferry_staging.ferry_ledger WHERE part = $1`, [stray])).rowCount);
      await gate.open();
      await handle.result();

      const acts = activities((await handle.fetchHistory()).events!);
      const reset = acts.filter((a) => a.type === 'resetStaging');
      expect(reset).toHaveLength(1);
      expect(reset[0].input.reason).toMatch(/^the loaded parts disagree with the manifest: .*9999_part_00/);
      expect((await env.dst.query(`SELECT count(*)::int AS n FROM overlap_stray WHERE id = 999999`)).rows[0].n).toBe(0);
      expect(await fingerprint(env.dst, 'overlap_stray', 'id')).toEqual(await fingerprint(env.src, 'overlap_stray', 'id'));
    } finally {
      await holder.end();
    }
  });

  it('past partsPerWorkflow, ranges load in child workflows, some while the UNLOAD still runs; every part once across all histories, the target exact', async () => {
    const holder = await connect(env.sourceDb);
    try {
      const gate = await gatedSource(env.src, holder, 'overlap_ranges');
      await env.dst.query(`CREATE TABLE overlap_ranges (id int PRIMARY KEY, h text, pad text)`);
      await gate.close();
      const handle = await startGated(gate.query, 'overlap_ranges', { partsPerWorkflow: 1 });
      await waitFor('a child range loaded while the UNLOAD waits', async () => {
        const events = (await handle.fetchHistory()).events!;
        return events.some((e) => e.childWorkflowExecutionCompletedEventAttributes);
      });
      await gate.open();
      const result = await handle.result();

      const events = (await handle.fetchHistory()).events!;
      const acts = activities(events);
      const unload = acts.find((a) => a.type === 'unload')!;
      const registered = unload.result.partsRegistered as number;
      const children = events.flatMap((e, index) => {
        const done = e.childWorkflowExecutionCompletedEventAttributes;
        return done ? [{ index, workflowId: done.workflowExecution!.workflowId!, runId: done.workflowExecution!.runId! }] : [];
      });
      expect(children.filter((c) => c.index < unload.closed!).length).toBeGreaterThan(0);
      // The table's own history loads one part; each child one more, each part once overall.
      const ownLoads = acts.filter((a) => a.type === 'loadPart');
      expect(ownLoads).toHaveLength(1);
      expect(children).toHaveLength(registered - 1);
      const childLoads = await Promise.all(
        children.map(async (c) =>
          activities((await env.ferry.client.workflow.getHandle(c.workflowId, c.runId).fetchHistory()).events!).filter((a) => a.type === 'loadPart'),
        ),
      );
      expect(loadedOrdinals([...ownLoads, ...childLoads.flat()])).toEqual(Array.from({ length: registered }, (_, i) => i));
      expect(result).toMatchObject({ rows: 260_000, parts: registered });
      expect(await fingerprint(env.dst, 'overlap_ranges', 'id')).toEqual(await fingerprint(env.src, 'overlap_ranges', 'id'));
    } finally {
      await holder.end();
    }
  });
});
