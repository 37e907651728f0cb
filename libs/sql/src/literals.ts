/**
 * Literals are for the few statements that take no bind parameters (UNLOAD, COPY options).
 * Everything else passes values as parameters.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('an SQL string literal cannot contain a NUL character');
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Dollar-quotes `body` with a tag that does not occur in it, so the body needs no escaping
 * (UNLOAD's query argument is a string literal holding a whole SELECT).
 */
export function dollarQuote(body: string): string {
  let tag = '$$';
  for (let n = 0; body.includes(tag) || body.endsWith(tag.slice(0, -1)); n++) tag = `$ferry${n}$`;
  return `${tag}${body}${tag}`;
}

/**
 * A string literal for Redshift, whose single-quoted strings treat backslash as an escape
 * character (AWS: "If your query contains quotes … or backslashes, you need to escape them"),
 * unlike PostgreSQL with standard_conforming_strings.
 */
export function quoteRedshiftLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('an SQL string literal cannot contain a NUL character');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}
