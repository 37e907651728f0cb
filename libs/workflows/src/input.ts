import { z } from 'zod';

/**
 * The `tableTransfer` input: plain JSON a person can type on the Temporal CLI. It names
 * connections; the worker resolves them, so no secret ever enters workflow history.
 * Unknown keys are errors, which catches typos and misplaced secrets alike.
 */
export const tableTransferInputSchema = z
  .object({
    source: z
      .object({
        connection: z.string().min(1),
        table: z.string().min(1).optional(),
        query: z.string().min(1).optional(),
      })
      .strict()
      .refine((s) => (s.table === undefined) !== (s.query === undefined), {
        message: 'give exactly one of source.table and source.query',
      }),
    target: z
      .object({
        connection: z.string().min(1),
        table: z.string().min(1),
        mode: z.enum(['replace', 'append', 'upsert']).default('replace'),
        key: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .refine((t) => (t.mode === 'upsert') === (t.key !== undefined), {
        message: 'target.key lists the columns to match rows on: give it with mode "upsert", and only then',
      }),
    unload: z
      .object({
        compression: z.enum(['gzip', 'zstd', 'bzip2', 'none']).default('gzip'),
        // Redshift accepts 5 MB to 6.2 GB.
        maxFileSizeMb: z.number().int().min(5).max(6200).default(64),
        parallel: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    load: z
      .object({
        maxParallelLoads: z.number().int().min(1).max(64).default(4),
        // Unset: the target connection's default (worker config `loadMethod`).
        method: z.enum(['copy', 'aws_s3']).optional(),
      })
      .strict()
      .prefault({}),
    s3: z
      .object({
        bucket: z.string().min(1).optional(),
        prefix: z.string().optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type TableTransferInput = z.input<typeof tableTransferInputSchema>;
export type TableTransferOptions = z.output<typeof tableTransferInputSchema>;

/** Validates the input, or returns one message listing every problem with its path. */
export function parseTableTransferInput(raw: unknown): { ok: true; value: TableTransferOptions } | { ok: false; message: string } {
  const parsed = tableTransferInputSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  return {
    ok: false,
    message: `invalid tableTransfer input: ${problems.join('; ')}. Expected {"source": {"connection", "table" | "query"}, "target": {"connection", "table", "mode"?, "key"?}, "unload"?: {...}, "load"?: {...}}`,
  };
}
