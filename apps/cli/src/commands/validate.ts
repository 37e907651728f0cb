import { staticDag, waves } from '@ferry/pipeline';
import { readPipelineFile } from '@ferry/pipeline/file';

/** `ferry validate <file>`: the file's problems with their places, or what it will run. */
export function validate(file: string): void {
  const pipeline = readPipelineFile(file);
  const order = waves(staticDag(pipeline));
  const discovered = pipeline.discoveries.length > 0 ? ` and ${pipeline.discoveries.length} schema(s) whose tables are found when it runs` : '';
  console.log(`${file}: pipeline ${pipeline.name} is valid: ${pipeline.tables.length} table(s)${discovered} in ${order.length} wave(s)`);
  const schemaOf = new Map(pipeline.discoveries.map((d) => [d.name, `${d.name} (tables of schema ${d.source.schema})`]));
  order.forEach((names, i) => console.log(`  wave ${i + 1}: ${names.map((n) => schemaOf.get(n) ?? n).join(', ')}`));
}
