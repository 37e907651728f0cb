import { scanSql } from './scan';

/**
 * Redshift's late-binding views, `CREATE VIEW … AS SELECT … WITH NO SCHEMA BINDING` (AWS
 * "CREATE VIEW"): the clause only defers checking the referenced tables until the view is
 * queried. PostgreSQL binds at creation, so the clause is dropped (*assumed*: the difference
 * shows only when a referenced table is missing or dropped). Undefined when there is none.
 */
export function rewriteLateBindingViews(sql: string): string | undefined {
  const tokens = scanSql(sql);
  let out = '';
  let from = 0;
  for (let i = 0; i + 3 < tokens.length; i++) {
    const words = tokens.slice(i, i + 4);
    if (words.every((t) => t.kind === 'word' && t.depth === 0) && words.map((t) => t.text).join(' ') === 'WITH NO SCHEMA BINDING') {
      out += sql.slice(from, words[0].start);
      from = words[3].end;
      i += 3;
    }
  }
  return from === 0 ? undefined : out + sql.slice(from);
}
