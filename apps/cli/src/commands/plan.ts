import { loadConfig, type FerryConfig } from '@ferry/config';
import { loadTaskQueue, previewTransfer } from '@ferry/activities';
import { waves, type ResolvedPipeline } from '@ferry/pipeline';
import { readPipelineFile } from '@ferry/pipeline/file';

/**
 * `ferry plan <file>`: every table's UNLOAD statement and load plan, from the files alone
 * (no database, S3 or Temporal is touched).
 */
export function plan(file: string, taskQueue: string): void {
  const pipeline = readPipelineFile(file);
  const config = configFor(pipeline);
  const byName = new Map(pipeline.tables.map((t) => [t.name, t]));
  console.log(`pipeline ${pipeline.name}: ${pipeline.tables.length} table(s), at most ${pipeline.maxParallelTables} at once; on failure: ${pipeline.onFailure}`);
  waves(pipeline.tables).forEach((names, i) => {
    console.log(`\nwave ${i + 1}`);
    for (const name of names) {
      const t = byName.get(name)!.transfer;
      const p = previewTransfer(config, { source: t.source, target: t.target, loadMethod: t.load.method, unload: t.unload, s3: t.s3, incremental: t.incremental });
      const deps = byName.get(name)!.dependsOn;
      console.log(`  ${name}: ${t.source.connection} ${p.source} → ${t.target.connection} ${p.target} (${t.target.mode}${t.target.key ? ` on ${t.target.key.join(', ')}` : ''})${deps.length ? `, after ${deps.join(', ')}` : ''}`);
      console.log(`    unload: ${p.unloadStatement}`);
      console.log(`    load:   each part with ${p.loadMethod} into ${p.staging}, ${t.load.maxParallelLoads} at a time (task queue ${loadTaskQueue(taskQueue, t.target.connection)})`);
      console.log(`    then:   verify row counts, ${publishText(t.target.mode, p.target)}, drop staging, delete the run's files`);
    }
  });
}

function publishText(mode: string, target: string): string {
  if (mode === 'replace') return `replace the rows of ${target} in one transaction`;
  if (mode === 'append') return `insert into ${target} in one transaction`;
  return `update matching rows of ${target} and insert the others in one transaction`;
}

/**
 * The pipeline file's own connections and bucket where it has them (it is then meant to be
 * the worker's FERRY_CONFIG too), else the worker config's.
 */
function configFor(pipeline: ResolvedPipeline): FerryConfig {
  const worker = pipeline.connections && pipeline.s3 ? undefined : loadConfig();
  return { s3: pipeline.s3 ?? worker!.s3, connections: pipeline.connections ?? worker!.connections };
}
