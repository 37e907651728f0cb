import type { z } from 'zod';

interface RuleFields {
  kind: 'redshift' | 'postgres';
  host?: string;
  transport?: 'wire' | 'data-api';
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
  if (c.transport === 'data-api') return checkDataApiRules(c, issue);
  if (c.host === undefined)
    issue('host', 'a connection over the wire protocol needs host (or, for Redshift, transport: data-api with clusterIdentifier or workgroupName)');
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

/**
 * The Data API names the warehouse by clusterIdentifier or workgroupName and logs in as DbUser
 * (temporary credentials), by SecretArn, or as the IAM identity (AWS, Redshift Data API
 * reference, "ExecuteStatement": the authorization combinations). No password, no TLS settings:
 * HTTPS to the AWS endpoint carries it.
 */
function checkDataApiRules(c: RuleFields, issue: (path: string, message: string) => void): void {
  if ((c.clusterIdentifier === undefined) === (c.workgroupName === undefined)) {
    issue('clusterIdentifier', 'transport data-api needs exactly one of clusterIdentifier (a provisioned cluster) or workgroupName (Redshift Serverless)');
  }
  if (c.user !== undefined && c.passwordSecret !== undefined)
    issue('user', 'over the Data API, user (DbUser) and passwordSecret (SecretArn) each say how to log in: keep one');
  if (c.workgroupName !== undefined && c.user !== undefined) {
    issue('user', 'Redshift Serverless names the database user after the IAM identity (IAM:<user> or IAMR:<role>): remove user, or use passwordSecret');
  }
  for (const field of ['passwordEnv', 'sslmode', 'ssl'] as const) {
    if (c[field] !== undefined) issue(field, `transport data-api does not use ${field}: the Data API logs in with IAM or a secret over HTTPS; remove it`);
  }
}
