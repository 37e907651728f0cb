import { scanSql } from './scan';

/**
 * Redshift's pg_constraint holds the informational constraints ("Defining table
 * constraints"); PostgreSQL's cannot (they are not enforced, see ddl/). Every reference to
 * pg_constraint — bare or pg_catalog-qualified, outside strings, comments and quoted
 * identifiers — is pointed at redshift_local.pg_constraint (sql/redshift-types.sql),
 * PostgreSQL's rows plus the recorded ones. Undefined when the statement has none.
 */
export function rewritePgConstraint(sql: string): string | undefined {
  const tokens = scanSql(sql);
  let out = '';
  let from = 0;
  tokens.forEach((t, i) => {
    if (t.kind !== 'word' || t.text !== 'PG_CONSTRAINT') return;
    const qualified = tokens[i - 1]?.text === '.';
    if (qualified && tokens[i - 2]?.text !== 'PG_CATALOG') return;
    const start = qualified ? tokens[i - 2].start : t.start;
    out += `${sql.slice(from, start)}redshift_local.pg_constraint`;
    from = t.end;
  });
  return from === 0 ? undefined : out + sql.slice(from);
}
