import { z } from 'zod';
import { sourceSchema } from './transfer-input';

/** The `tableVerify` input: a source (table or query) and a target table, by connection name; no secrets. */
export const tableVerifyInputSchema = z
  .object({
    source: sourceSchema.refine((s) => (s.table === undefined) !== (s.query === undefined), { message: 'give exactly one of source.table and source.query' }),
    target: z.object({ connection: z.string().min(1), table: z.string().min(1) }).strict(),
    key: z.array(z.string().min(1)).min(1).optional().describe("Columns rows are matched on (default: the target's primary key)"),
    maxDifferences: z.number().int().min(1).max(1000).optional(),
  })
  .strict();

export type TableVerifyInput = z.output<typeof tableVerifyInputSchema>;

export function parseTableVerifyInput(raw: unknown): { ok: true; value: TableVerifyInput } | { ok: false; message: string } {
  const parsed = tableVerifyInputSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  return {
    ok: false,
    message: `invalid tableVerify input: ${problems.join('; ')}. Expected {"source": {"connection", "table" | "query"}, "target": {"connection", "table"}, "key"?: [...]}`,
  };
}
