import { queryMessage } from './protocol/frames';

/** What Redshift's version() returns: PostgreSQL 8.0.2's banner with the Redshift build appended. */
export const REDSHIFT_VERSION =
  'PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467 (redshift-local)';

/** `select version()` is answered with Redshift's banner (clients use it to detect Redshift). */
export function redshiftVersionQuery(sql: string): Buffer | undefined {
  if (!/^\s*select\s+version\s*\(\s*\)\s*;?\s*$/i.test(sql)) return undefined;
  return queryMessage(`SELECT '${REDSHIFT_VERSION}'::text AS version`);
}
