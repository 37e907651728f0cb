import { previewTargetDdl } from '@ferry/activities';
import { selectTables } from '@ferry/pipeline';
import { readPipelineFile } from '@ferry/pipeline/file';
import { configFor, expandForPreview } from '../pipeline-config';

/**
 * `ferry ddl <file> [--table NAME…]`: the CREATE TABLE statements a run would execute for
 * each table (discovery entries expanded), from the source catalog through the type map.
 * It reads both catalogs and changes nothing.
 */
export async function ddl(file: string, only: string[] = []): Promise<void> {
  const resolved = readPipelineFile(file);
  const config = configFor(resolved);
  const { pipeline, unreachable } = await expandForPreview(resolved, config);
  if (unreachable)
    throw new Error(`cannot read the source catalog to find the tables of ${pipeline.discoveries.map((d) => d.name).join(', ')}: ${unreachable}`);
  for (const table of (only.length ? selectTables(pipeline, only) : pipeline).tables) {
    const { source, target } = table.transfer;
    const preview = await previewTargetDdl(config, { source, target });
    const when = preview.exists
      ? `exists: a run creates nothing`
      : target.create === 'ifMissing'
        ? 'missing: a run creates it with'
        : 'missing, and create is never: a run fails until it exists; create: ifMissing would run';
    console.log(`-- ${table.name}: ${target.connection} ${preview.target} ${when}`);
    for (const d of preview.plan.droppedDefaults) console.log(`-- column ${d.column}: default ${d.default} has no PostgreSQL equivalent and is left out`);
    for (const statement of preview.plan.statements) console.log(`${statement};`);
    console.log('');
  }
}
