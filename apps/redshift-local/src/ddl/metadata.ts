import { quoteLiteral } from '@ferry/sql';
import type { RewrittenDdl } from './create-table';

/** True when the DDL carries something PostgreSQL's catalog cannot hold. */
export function hasMetadata(ddl: RewrittenDdl): boolean {
  const m = ddl.metadata;
  return Boolean(
    m.create ||
    m.diststyle ||
    m.distkey ||
    m.sortkeyType ||
    m.sortkey ||
    m.backup !== undefined ||
    m.encodeAuto ||
    m.constraints.length ||
    m.columns.some((c) => c.encoding || c.distkey || c.sortkey || c.collation || c.identity),
  );
}

/**
 * The proxy's own statement recording it (sql/redshift-types.sql's redshift_local.record),
 * run on the client's session right after the DDL succeeded. The name is resolved by
 * regclass there, with the session's search_path, as the DDL's was.
 */
export function recordSql(ddl: RewrittenDdl): string {
  return `SELECT redshift_local.record(${quoteLiteral(ddl.table)}::regclass, ${quoteLiteral(JSON.stringify(ddl.metadata))}::jsonb)`;
}
