import { waves } from '@ferry/pipeline';
import { readPipelineFile } from '@ferry/pipeline/file';

/** `ferry validate <file>`: the file's problems with their places, or what it will run. */
export function validate(file: string): void {
  const pipeline = readPipelineFile(file);
  const order = waves(pipeline.tables);
  console.log(`${file}: pipeline ${pipeline.name} is valid: ${pipeline.tables.length} table(s) in ${order.length} wave(s)`);
  order.forEach((names, i) => console.log(`  wave ${i + 1}: ${names.join(', ')}`));
}
