import type { z } from 'zod';

/** One thing wrong with an input, at a path inside it (`tables.2.target.mode`). */
export interface Problem {
  path: (string | number)[];
  message: string;
}

export function problemsOf(error: z.ZodError, prefix: (string | number)[] = []): Problem[] {
  return error.issues.map((i) => ({ path: [...prefix, ...(i.path as (string | number)[])], message: explain(i) }));
}

/** zod's message, with the fix where zod's own text does not say it. */
function explain(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown ${issue.keys.length > 1 ? 'keys' : 'key'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: check the spelling (docs/pipeline.schema.json lists every key)`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return `missing: give ${String(issue.path.at(-1) ?? 'it')} (${issue.expected})`;
  return issue.message;
}

/** `tables[2].target.mode`, the way a person points into a file. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';
}
