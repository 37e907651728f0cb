import type { z } from 'zod';

interface RuleFields {
  kind: 'redshift' | 'postgres';
  user?: string;
  passwordEnv?: string;
  passwordSecret?: string;
  iamAuth?: boolean;
  clusterIdentifier?: string;
  workgroupName?: string;
  sslmode?: string;
  ssl?: boolean;
}

/**
 * Rules across a connection's fields, checked where the schema is (worker start, `ferry
 * validate`), so a contradictory connection never reaches the first login.
 */
export function checkConnectionRules(c: RuleFields, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const sources = (
    [
      ['passwordEnv', c.passwordEnv !== undefined],
      ['passwordSecret', c.passwordSecret !== undefined],
      ['iamAuth', c.iamAuth === true],
      ['clusterIdentifier', c.clusterIdentifier !== undefined],
      ['workgroupName', c.workgroupName !== undefined],
    ] as const
  )
    .filter(([, set]) => set)
    .map(([key]) => key);
  if (sources.length > 1) {
    issue(sources[1], `${sources.join(' and ')} each say where the password comes from: keep one`);
  }
  if (c.sslmode !== undefined && c.ssl !== undefined) {
    issue('ssl', 'ssl is the old spelling of sslmode: remove it (ssl: true is sslmode: verify-full)');
  }
  if (c.iamAuth && (c.sslmode === 'disable' || (c.sslmode === undefined && c.ssl === false))) {
    issue('iamAuth', 'IAM authentication needs TLS (RDS refuses tokens over plaintext): set sslmode to verify-full and sslrootcert to the RDS global bundle');
  }
  if (c.kind === 'redshift') {
    if (c.user === undefined && c.clusterIdentifier === undefined && c.workgroupName === undefined) {
      issue('user', 'a redshift connection needs user, unless clusterIdentifier or workgroupName lets the IAM identity name it');
    }
    if (c.workgroupName !== undefined && c.user !== undefined) {
      issue('user', 'Redshift Serverless names the database user after the IAM identity (IAM:<user> or IAMR:<role>): remove user');
    }
  }
}
