import { scanSql } from './scan';

/**
 * Redshift's SYSDATE is a bare keyword (AWS, "SYSDATE function"); PostgreSQL would read a
 * column name. Every bare SYSDATE word (outside strings, comments and quoted identifiers,
 * not qualified, not already called) becomes a call of sql/redshift-types.sql's
 * pg_catalog.sysdate(). A plain call, not a subquery, so it also works in a column DEFAULT.
 * Returns undefined when the statement has none.
 */
export function rewriteSysdate(sql: string): string | undefined {
  const tokens = scanSql(sql);
  let out = '';
  let from = 0;
  tokens.forEach((t, i) => {
    if (t.kind !== 'word' || t.text !== 'SYSDATE') return;
    if (tokens[i - 1]?.text === '.' || tokens[i + 1]?.text === '(') return;
    out += `${sql.slice(from, t.start)}pg_catalog.sysdate()`;
    from = t.end;
  });
  return from === 0 ? undefined : out + sql.slice(from);
}
