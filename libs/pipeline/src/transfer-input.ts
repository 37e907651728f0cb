import { z } from 'zod';
import {
  compressionSchema,
  createIndexesSchema,
  createTargetSchema,
  loadMethodSchema,
  loadModeSchema,
  onSchemaChangeOptions,
  verifyOptions,
  type PrepareInput,
} from '@ferry/contract';

/**
 * The `tableTransfer` input: plain JSON a person can type on the Temporal CLI. It names
 * connections; the worker resolves them, so no secret ever enters workflow history.
 * Unknown keys are errors, which catches typos and misplaced secrets alike.
 */
export const sourceSchema = z
  .object({
    connection: z.string().min(1).describe('A redshift connection of the worker config'),
    table: z.string().min(1).optional().describe('schema.table to move (or give query)'),
    query: z.string().min(1).optional().describe('A SELECT whose rows to move (or give table)'),
  })
  .strict();

export const targetSchema = z
  .object({
    connection: z.string().min(1).describe('A postgres connection of the worker config'),
    table: z.string().min(1).describe('schema.table to load'),
    create: createTargetSchema
      .default('never')
      .describe("never: the target must exist; ifMissing: a missing target is created from the source's catalog through the type map"),
    indexes: createIndexesSchema.default('none').describe('sortKey: a created target gets an index on the source sort key columns'),
    mode: loadModeSchema
      .default('replace')
      .describe(
        'replace: the target becomes the source; append: add rows; upsert: update rows matching on key, add the others; sync: make the target equal to the source by moving only the key segments that differ (deletes included)',
      ),
    key: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe("Columns an upsert matches rows on, or a sync locates them by (unset with sync: the target's primary key)"),
  })
  .strict();

export const unloadSchema = z
  .object({
    compression: compressionSchema.default('gzip'),
    // Redshift accepts 5 MB to 6.2 GB.
    maxFileSizeMb: z.number().int().min(5).max(6200).default(64).describe('UNLOAD MAXFILESIZE: the largest part'),
    parallel: z.boolean().default(true).describe('UNLOAD PARALLEL: one file per slice (ON) or one stream (OFF)'),
  })
  .strict();

export const loadSchema = z
  .object({
    maxParallelLoads: z.number().int().min(1).max(64).default(4).describe('Parts of this table loading at once'),
    // A part load is ~4 history events and ~1 KB: 1,000 keep a history far below Temporal's warning at 10,240 events / 10 MB.
    partsPerWorkflow: z
      .number()
      .int()
      .min(1)
      .max(2_000)
      .default(1_000)
      .describe("Part loads one workflow history holds: the table's own workflow loads the first this many, each child workflow (loadPartRange) the next"),
    // Unset: the target connection's default (worker config `loadMethod`).
    method: loadMethodSchema.optional().describe("copy: stream through the worker; aws_s3: RDS/Aurora import from S3. Unset: the connection's loadMethod"),
  })
  .strict();

export const s3Schema = z
  .object({
    bucket: z.string().min(1).optional(),
    prefix: z.string().optional(),
  })
  .strict();

export const incrementalSchema = z
  .object({
    column: z.string().min(1).describe("A source column that only grows (an id or updated_at): a run moves rows above the target's largest value"),
  })
  .strict();

export const onSchemaChangeSchema = onSchemaChangeOptions
  .default('fail')
  .describe('A source column the target lacks: fail names it and the ALTER TABLE that adds it; addColumns adds it (nullable) when publishing');

export const verifySchema = verifyOptions
  .default('checksum')
  .describe(
    "What is proven before publishing: checksum (the default: every staged row's values against the hash the source computed in the UNLOAD's own SELECT), or counts (manifest = loaded = staged rows only; proves less)",
  );

export const syncOptionsSchema = z
  .object({
    fullCopyAbove: z
      .number()
      .min(0)
      .max(1)
      .default(0.25)
      .describe('mode sync: when more than this share of the key segments differ, copy the whole table instead (0: whenever any differs; 1: never)'),
  })
  .strict();

export const tableTransferInputSchema = z
  .object({
    source: sourceSchema.refine((s) => (s.table === undefined) !== (s.query === undefined), {
      message: 'give exactly one of source.table and source.query',
    }),
    target: targetSchema
      .refine((t) => t.mode !== 'upsert' || t.key !== undefined, { message: 'target.key lists the columns to match rows on: mode "upsert" needs it' })
      .refine((t) => t.key === undefined || t.mode === 'upsert' || t.mode === 'sync', {
        message: 'target.key lists the columns to match rows on: give it only with mode "upsert" or "sync"',
      }),
    unload: unloadSchema.prefault({}),
    load: loadSchema.prefault({}),
    s3: s3Schema.prefault({}),
    incremental: incrementalSchema.optional(),
    onSchemaChange: onSchemaChangeSchema,
    verify: verifySchema,
    sync: syncOptionsSchema.optional(),
  })
  .strict()
  .refine((i) => i.target.mode !== 'sync' || i.incremental === undefined, {
    path: ['incremental'],
    message: 'a sync compares the whole table, deletes included: leave incremental out with mode "sync"',
  })
  .refine((i) => i.target.mode !== 'sync' || i.verify === 'checksum', {
    path: ['verify'],
    message: 'a sync finds and proves what differs by checksums: leave verify unset (checksum) with mode "sync"',
  })
  .refine((i) => i.sync === undefined || i.target.mode === 'sync', { path: ['sync'], message: 'sync options apply to mode "sync" only' })
  .refine((i) => i.incremental === undefined || i.target.mode !== 'replace', {
    path: ['target', 'mode'],
    message: 'an incremental transfer adds rows above the target\'s high-water mark: use mode "append" or "upsert", not "replace"',
  });

export type TableTransferInput = z.input<typeof tableTransferInputSchema>;
export type TableTransferOptions = z.output<typeof tableTransferInputSchema>;

/** Validates the input, or returns one message listing every problem with its path. */
export function parseTableTransferInput(raw: unknown): { ok: true; value: TableTransferOptions } | { ok: false; message: string } {
  const parsed = tableTransferInputSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  return {
    ok: false,
    message: `invalid tableTransfer input: ${problems.join('; ')}. Expected {"source": {"connection", "table" | "query"}, "target": {"connection", "table", "mode"?, "key"?}, "unload"?: {...}, "load"?: {...}, "incremental"?: {"column"}}`,
  };
}

/** What the transfer's prepare step is given: its options and the run that owns the target's lease. */
export function prepareInputOf(input: TableTransferOptions, run: { workflowId: string; runId: string }): PrepareInput {
  return {
    workflowId: run.workflowId,
    runId: run.runId,
    source: input.source,
    target: input.target,
    loadMethod: input.load.method,
    unload: input.unload,
    s3: input.s3,
    incremental: input.incremental,
    onSchemaChange: input.onSchemaChange,
    verify: input.verify,
    ...(input.sync && { sync: input.sync }),
  };
}
