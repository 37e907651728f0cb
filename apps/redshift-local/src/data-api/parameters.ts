// Named parameters (AWS, Redshift Data API reference, "SqlParameter": `:name` in the SQL, each
// value a string, cast by the server where the context asks for another type) bound as
// PostgreSQL's positional ones. `::type` casts and quoted text are left alone.

export function bindParameters(sql: string, given: unknown): { sql: string; values: string[] } {
  if (!Array.isArray(given) || given.some((p) => typeof p?.name !== 'string' || typeof p?.value !== 'string')) {
    throw new Error('Parameters must be a list of {name, value} strings');
  }
  const byName = new Map((given as { name: string; value: string }[]).map((p) => [p.name, p.value]));
  const order: string[] = [];
  let out = '';
  for (let i = 0; i < sql.length;) {
    const quote = sql[i] === "'" || sql[i] === '"' ? sql[i] : sql.startsWith('$$', i) ? '$$' : undefined;
    if (quote) {
      const end = sql.indexOf(quote, i + quote.length);
      const stop = end < 0 ? sql.length : end + quote.length;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    const named = sql[i] === ':' && sql[i - 1] !== ':' ? /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i)) : null;
    if (named) {
      if (!byName.has(named[1])) throw new Error(`the SQL names parameter :${named[1]}, which Parameters does not give`);
      if (!order.includes(named[1])) order.push(named[1]);
      out += `$${order.indexOf(named[1]) + 1}`;
      i += named[0].length;
      continue;
    }
    out += sql[i];
    i++;
  }
  return { sql: out, values: order.map((name) => byName.get(name)!) };
}
