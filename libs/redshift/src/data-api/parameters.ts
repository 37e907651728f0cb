/**
 * The Data API binds named parameters (`:name`, values as strings: AWS, Redshift Data API
 * reference, "SqlParameter"); ferry's statements are planned with positional ones (`$1`). This
 * renames them outside quoted text, identifiers, dollar-quoted bodies (`$$` or `$tag$`) and
 * comments.
 */
export function namedParameters(text: string, values: readonly unknown[] = []): { sql: string; parameters: { name: string; value: string }[] } {
  if (values.length === 0) return { sql: text, parameters: [] };
  let sql = '';
  for (let i = 0; i < text.length;) {
    const c = text[i];
    const span = skipped(text, i);
    if (span) {
      const end = text.indexOf(span.close, i + span.open.length);
      const stop = end < 0 ? text.length : end + span.close.length;
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

/** What starts at `i` and runs to its closing mark untouched: quoted text or identifier, a dollar-quoted body, a comment. */
function skipped(text: string, i: number): { open: string; close: string } | undefined {
  const c = text[i];
  if (c === "'" || c === '"') return { open: c, close: c };
  if (text.startsWith('--', i)) return { open: '--', close: '\n' };
  if (text.startsWith('/*', i)) return { open: '/*', close: '*/' };
  const dollar = c === '$' ? /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64)) : null;
  return dollar ? { open: dollar[0], close: dollar[0] } : undefined;
}
