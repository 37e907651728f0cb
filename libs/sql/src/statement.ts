/**
 * One SQL statement as data: text with `$n` placeholders and the values that fill them.
 * Planners return statements, so what ferry would run can be read and tested without a
 * database; a runner (transaction.ts) executes them. Identifiers are quoted into the text
 * (identifiers.ts); values are never spliced in.
 */
export interface Statement {
  text: string;
  values?: readonly unknown[];
}

export function statement(text: string, values?: readonly unknown[]): Statement {
  return values && values.length > 0 ? { text, values } : { text };
}
