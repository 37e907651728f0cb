import { writeFileSync } from 'node:fs';
import { pipelineJsonSchema } from '@ferry/pipeline';

/** `ferry json-schema [--out file]`: the pipeline file's JSON Schema, for editors. */
export function jsonSchema(out?: string): void {
  const text = `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}
