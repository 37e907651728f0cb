/**
 * The Data API binds named parameters (`:name`, values as strings: AWS, Redshift Data API
 * reference, "SqlParameter"); ferry's statements are planned with positional ones (`$1`). This
 * renames them outside quoted text, identifiers and dollar-quoted bodies.
 */
export function namedParameters(text: string, values: readonly unknown[] = []): { sql: string; parameters: { name: string; value: string }[] } {
  if (values.length === 0) return { sql: text, parameters: [] };
  let sql = '';
  for (let i = 0; i < text.length;) {
    const c = text[i];
    const quoted = c === "'" || c === '"' ? c : text.startsWith('$$', i) ? '$$' : undefined;
    if (quoted) {
      const end = text.indexOf(quoted, i + quoted.length);
      const stop = end < 0 ? text.length : end + quoted.length;
      sql += text.slice(i, stop);
      i = stop;
      continue;
    }
    const positional = /^\$(\d+)/.exec(text.slice(i, i + 12));
    if (positional) {
      sql += `:p${positional[1]}`;
      i += positional[0].length;
      continue;
    }
    sql += c;
    i++;
  }
  const parameters = values.map((v, i) => {
    if (v === null || v === undefined)
      throw new Error(`parameter $${i + 1} is null: the Data API binds only string values, so a null is written into the statement instead`);
    return { name: `p${i + 1}`, value: String(v) };
  });
  return { sql, parameters };
}
