import { quoteLiteral } from '@ferry/sql';
import { scanSql } from './sql/scan';

/** What Redshift's version() returns: PostgreSQL 8.0.2's banner with the Redshift build appended. */
export const REDSHIFT_VERSION =
  'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467 (redshift-local)';

/**
 * Rewrites every call of `version()` (unqualified, outside strings and comments) into a
 * scalar subquery returning Redshift's banner, so drivers and tools that sniff the
 * version see Redshift. A scalar subquery keeps the output column named "version", as the
 * function call would. `pg_catalog.version()` is left alone: it asks PostgreSQL itself.
 * Returns undefined when the statement has no such call.
 */
export function rewriteVersionCalls(sql: string): string | undefined {
  const tokens = scanSql(sql);
  let out = '';
  let from = 0;
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [t, open, close] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (t.kind !== 'word' || t.text !== 'VERSION' || open.text !== '(' || close.text !== ')') continue;
    if (i > 0 && tokens[i - 1].text === '.') continue;
    out += `${sql.slice(from, t.start)}(SELECT ${quoteLiteral(REDSHIFT_VERSION)}::text AS version)`;
    from = close.end;
    i += 2;
  }
  return from === 0 ? undefined : out + sql.slice(from);
}
