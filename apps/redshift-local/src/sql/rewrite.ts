import { rewriteDdl } from '../ddl';
import { rewriteVersionCalls } from '../version';
import { rewriteLateBindingViews } from './late-binding-view';
import { rewritePgConstraint } from './pg-constraint';
import { splitStatements } from './scan';
import { rewriteSysdate } from './sysdate';

/**
 * Every rewrite the proxy applies (Redshift's DDL included: the metadata it records is the
 * session's business, see session.ts) to a client's statement text on its way to the backend,
 * in order (`redshiftCatalog`: the database has sql/redshift-types.sql's relations); undefined when none applies (the frame is then relayed as it came). The cheap
 * regex tests keep the lexer off statements that cannot need it.
 */
export function rewriteStatement(sql: string, session: { redshiftCatalog: boolean } = { redshiftCatalog: false }): string | undefined {
  let current = sql;
  let changed = false;
  const apply = (rewritten: string | undefined) => {
    if (rewritten === undefined) return;
    current = rewritten;
    changed = true;
  };
  if (/version/i.test(current)) apply(rewriteVersionCalls(current));
  if (/sysdate/i.test(current)) apply(rewriteSysdate(current));
  if (session.redshiftCatalog && /pg_constraint/i.test(current)) apply(rewritePgConstraint(current));
  if (/schema\s+binding/i.test(current)) apply(rewriteLateBindingViews(current));
  if (/create|alter/i.test(current)) {
    const statements = splitStatements(current);
    const ddl = statements.map(rewriteDdl);
    if (ddl.some(Boolean)) apply(statements.map((s, i) => ddl[i]?.sql ?? s).join(';'));
  }
  return changed ? current : undefined;
}
