import { z } from 'zod';
// The schema module alone: the package's index also reads files, which workflow code may not.
import { connectionSchema, s3ConfigSchema } from '@ferry/config/src/schema';
import {
  incrementalSchema,
  loadSchema,
  onSchemaChangeSchema,
  s3Schema,
  sourceSchema,
  syncOptionsSchema,
  targetSchema,
  unloadSchema,
  verifySchema,
} from './transfer-input';

/**
 * A pipeline file: the tables to move, with what they share said once in `defaults`. Each
 * table becomes one `tableTransfer` input by laying it over the defaults (see resolve.ts),
 * which is where a table's input is checked in full.
 *
 * `connections` and `s3` have the worker config's shape, so one file can serve as both
 * (FERRY_CONFIG may name it); the workflows never see them: the worker resolves names.
 */
/**
 * A part of the tableTransfer input with every field optional and no defaults: a table's own
 * settings and `defaults` must not fill in values that would hide what the other one says.
 */
function overridable<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => {
      if (!(field instanceof z.ZodDefault)) return [key, field];
      // Editors still show the default, in the description.
      const text = [field.description, `Default: ${JSON.stringify(field.def.defaultValue)}.`].filter(Boolean).join('. ');
      return [key, (field.unwrap() as z.ZodType).describe(text)];
    }),
  );
  return z.object(shape).partial().strict();
}

const tableName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, "_", "." and "-" (it becomes part of a workflow id)');

const discoverySource = {
  schema: z
    .string()
    .min(1)
    .optional()
    .describe("Instead of table/query: move every table of this source schema (found when the pipeline runs), each as '<name>.<table>'"),
  include: z
    .array(z.string().min(1))
    .optional()
    .describe("With schema: only tables matching one of these patterns ('*' any characters, '?' one). Default: every table"),
  exclude: z.array(z.string().min(1)).optional().describe('With schema: leave out tables matching one of these patterns'),
};

export const pipelineTableSchema = z
  .object({
    name: tableName.optional().describe('How dependsOn, --table and the child workflow id refer to this table. Default: target.table'),
    source: overridable(sourceSchema).extend(discoverySource).strict().optional(),
    target: overridable(targetSchema)
      .extend({
        schema: z
          .string()
          .min(1)
          .optional()
          .describe(
            "With source.schema: the target schema the discovered tables load into (default: the source schema's name); target.table may then be a template such as '{table}_v2'",
          ),
      })
      .strict(),
    unload: overridable(unloadSchema).optional(),
    load: overridable(loadSchema).optional(),
    s3: s3Schema.optional(),
    incremental: incrementalSchema.optional(),
    onSchemaChange: onSchemaChangeSchema.unwrap().optional(),
    verify: verifySchema.unwrap().optional(),
    sync: overridable(syncOptionsSchema).optional(),
    dependsOn: z.array(tableName).optional().describe('Tables that must load successfully before this one starts'),
  })
  .strict();

export const pipelineDefaultsSchema = z
  .object({
    source: overridable(sourceSchema.pick({ connection: true })).optional(),
    target: overridable(targetSchema.pick({ connection: true, mode: true, create: true, indexes: true })).optional(),
    unload: overridable(unloadSchema).optional(),
    load: overridable(loadSchema).optional(),
    s3: s3Schema.optional(),
    onSchemaChange: onSchemaChangeSchema.unwrap().optional(),
    verify: verifySchema.unwrap().optional(),
    sync: overridable(syncOptionsSchema).optional(),
  })
  .strict();

export const pipelineSchema = z
  .object({
    $schema: z.string().optional().describe('Path or URL of docs/pipeline.schema.json, for editors'),
    name: tableName.describe('Names the pipeline in workflow ids, schedules and the UI'),
    connections: z
      .record(z.string(), connectionSchema)
      .optional()
      .describe('As in the worker config; secrets only as environment variable names (passwordEnv)'),
    s3: s3ConfigSchema.optional(),
    defaults: pipelineDefaultsSchema.optional(),
    maxParallelTables: z.number().int().min(1).max(100).default(4).describe('Tables transferring at once'),
    onFailure: z
      .enum(['skipDependents', 'stop'])
      .default('skipDependents')
      .describe('skipDependents: a failed table skips the tables that depend on it, the others go on; stop: no new table starts after a failure'),
    historyLimit: z
      .object({
        events: z.number().int().min(20).max(40_000).default(7_000).describe('Events in one run of the pipeline workflow'),
        bytes: z
          .number()
          .int()
          .min(64 * 1024)
          .max(40 * 1024 * 1024)
          .default(7 * 1024 * 1024)
          .describe("Bytes of one run's history"),
      })
      .strict()
      .default({ events: 7_000, bytes: 7 * 1024 * 1024 })
      .describe(
        "When a run's history reaches either bound, no new table starts; once the running ones end, the pipeline continues as new with what has ended. Temporal warns at 10,240 events or 10 MB and terminates at 51,200 or 50 MB",
      ),
    listedTables: z
      .number()
      .int()
      .min(10)
      .max(5_000)
      .default(1_000)
      .describe(
        "Tables the result, the progress query and a failure's details list at most (failed, skipped and running first; the counts and rows cover all). Above it a run continuing as new hands on succeeded tables by number only, so any number of tables fits Temporal's 2 MB payload limit",
      ),
    smallTables: z
      .object({
        maxRows: z
          .number()
          .int()
          .min(0)
          .max(10_000_000)
          .default(100_000)
          .describe('A table SVV_TABLE_INFO estimates at no more rows than this moves in one activity; 0: every table gets its own workflow'),
      })
      .strict()
      .default({ maxRows: 100_000 })
      .describe(
        "Small tables move in one activity of the pipeline's own workflow instead of a tableTransfer child workflow each: far fewer Temporal round trips per table. Views, queries, empty tables and tables without an estimate always get their own workflow",
      ),
    tables: z.array(pipelineTableSchema).min(1),
  })
  .strict();

export type PipelineInput = z.input<typeof pipelineSchema>;
export type Pipeline = z.output<typeof pipelineSchema>;
export type PipelineTableInput = z.input<typeof pipelineTableSchema>;
