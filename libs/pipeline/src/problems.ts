import type { z } from 'zod';

/** One thing wrong with an input, at a path inside it (`tables.2.target.mode`). */
export interface Problem {
  path: (string | number)[];
  message: string;
}

export function problemsOf(error: z.ZodError, prefix: (string | number)[] = []): Problem[] {
  return error.issues.map((i) => ({ path: [...prefix, ...(i.path as (string | number)[])], message: i.message }));
}

/** `tables[2].target.mode`, the way a person points into a file. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top level)';
}
