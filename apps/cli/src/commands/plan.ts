import { loadTaskQueue, previewTransfer } from '@ferry/activities';
import { staticDag, waves } from '@ferry/pipeline';
import { readPipelineFile } from '@ferry/pipeline/file';
import { configFor, expandForPreview } from '../pipeline-config';

/**
 * `ferry plan <file>`: every table's UNLOAD statement and load plan. Only a discovery entry
 * reads anything (the source schema's table list, as a run would); nothing is changed.
 */
export async function plan(file: string, taskQueue: string): Promise<void> {
  const resolved = readPipelineFile(file);
  const config = configFor(resolved);
  const { pipeline, unreachable } = await expandForPreview(resolved, config);
  const byName = new Map(pipeline.tables.map((t) => [t.name, t]));
  console.log(
    `pipeline ${pipeline.name}: ${pipeline.tables.length} table(s), at most ${pipeline.maxParallelTables} at once; on failure: ${pipeline.onFailure}`,
  );
  for (const d of resolved.discoveries) {
    const patterns = [
      d.source.include.length ? `include ${d.source.include.join(', ')}` : 'every table',
      ...(d.source.exclude.length ? [`exclude ${d.source.exclude.join(', ')}`] : []),
    ].join(', ');
    console.log(`  ${d.name}: the tables of ${d.source.connection} schema ${d.source.schema} (${patterns}) → ${d.transfer.target.connection} ${d.targetTable}`);
    if (!unreachable)
      console.log(
        `    found now: ${
          pipeline.tables
            .filter((t) => t.name.startsWith(`${d.name}.`))
            .map((t) => t.name)
            .join(', ') || 'no table'
        }`,
      );
  }
  if (unreachable) console.log(`  (could not read the source catalog to list them: ${unreachable}; a run finds them when it starts)`);
  // Entries left unexpanded (catalog unreachable) order the waves but have no plan of their own.
  waves(staticDag(pipeline)).forEach((names, i) => {
    console.log(`\nwave ${i + 1}`);
    for (const name of names) {
      if (!byName.has(name)) {
        console.log(`  ${name}: the tables of schema ${pipeline.discoveries.find((d) => d.name === name)!.source.schema}, listed when the run starts`);
        continue;
      }
      const t = byName.get(name)!.transfer;
      const p = previewTransfer(config, {
        source: t.source,
        target: t.target,
        loadMethod: t.load.method,
        unload: t.unload,
        s3: t.s3,
        incremental: t.incremental,
      });
      const deps = byName.get(name)!.dependsOn;
      console.log(
        `  ${name}: ${t.source.connection} ${p.source} → ${t.target.connection} ${p.target} (${t.target.mode}${t.target.key ? ` on ${t.target.key.join(', ')}` : ''})${deps.length ? `, after ${deps.join(', ')}` : ''}`,
      );
      if (t.target.mode === 'sync') {
        const key = t.target.key ? t.target.key.join(', ') : "the target's primary key";
        console.log(
          `    compare: ${p.source} and ${p.target} by segments of md5(${key}) (16 to 16^5 of them, about 32 rows each, from the target's size), the source's from the UNLOAD's own snapshot; an empty target, or more than ${t.sync?.fullCopyAbove ?? 0.25} of the segments differing: every row is copied`,
        );
        console.log(`    unload: only the rows of the differing segments (WHERE SUBSTRING(MD5(key), 1, depth) IN (…)), with each row's MD5:`);
      }
      console.log(`    unload: ${p.unloadStatement}`);
      console.log(
        `    load:   each part with ${p.loadMethod} into ${p.staging}, ${t.load.maxParallelLoads} at a time (task queue ${loadTaskQueue(taskQueue, t.target.connection)})`,
      );
      if (t.target.create === 'ifMissing') console.log(`    create: ${p.target} from the source catalog if it is missing (ferry ddl prints the statement)`);
      if (t.verify === 'checksum' && t.target.mode !== 'sync')
        console.log(`    proof:  the UNLOAD adds each row's MD5 (ferry_row_hash); COPY checks every row against it as it loads`);
      const proof =
        t.target.mode === 'sync'
          ? 'verify row counts and that every row passed its check against its MD5'
          : t.verify === 'checksum'
            ? 'verify row counts and that every row passed its check'
            : 'verify row counts only (verify: counts)';
      console.log(`    then:   ${proof}, ${publishText(t.target.mode, p.target)}, drop staging, delete the run's files`);
    }
  });
}

function publishText(mode: string, target: string): string {
  if (mode === 'replace') return `replace the rows of ${target} in one transaction`;
  if (mode === 'append') return `insert into ${target} in one transaction`;
  if (mode === 'sync')
    return `in one transaction delete the rows of ${target} in those segments whose key the source no longer has, update the changed ones in place, insert the new keys, and prove every segment and the row count equal to the snapshot's`;
  return `update matching rows of ${target} and insert the others in one transaction`;
}
