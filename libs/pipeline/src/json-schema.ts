import { z } from 'zod';
import { pipelineSchema } from './pipeline-schema';

/** The pipeline file's JSON Schema, for editors (`# yaml-language-server: $schema=…`). */
export function pipelineJsonSchema(): object {
  return { ...z.toJSONSchema(pipelineSchema, { io: 'input', unrepresentable: 'any' }), title: 'ferry pipeline file' };
}
