import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { identityPairs, type IdentityPair } from './identity-sequences';

// What belongs to the target but not to its definition, so `CREATE TABLE … (LIKE …)` did not
// copy it to the twin: the swap reads it here, under finalize's lock, and swap.ts carries it over.

export interface TableProperties {
  owner: string;
  comment: string | null;
  rls: boolean;
  forceRls: boolean;
  /** `fillfactor=70`, as pg_class keeps them. */
  reloptions: string[];
  /** pg_class.relreplident: `d` default, `f` full, `n` nothing (`i`, an index, blocks the swap). */
  replicaIdentity: string;
}

/** A table or column privilege; a null grantee is PUBLIC. */
export interface Grant {
  grantee: string | null;
  privilege: string;
  grantable: boolean;
  column: string | null;
}

export interface Policy {
  name: string;
  /** pg_policy.polcmd: r, a, w, d or `*`. */
  cmd: string;
  permissive: boolean;
  /** Null for PUBLIC. */
  roles: (string | null)[];
  qual: string | null;
  check: string | null;
}

/** A sequence owned by one of the table's columns (a serial column's). */
export interface OwnedSequence {
  schema: string;
  name: string;
  column: string;
}

export interface Carried {
  properties: TableProperties;
  grants: Grant[];
  policies: Policy[];
  identities: IdentityPair[];
  ownedSequences: OwnedSequence[];
}

export const selectTableProperties = (table: QualifiedName): Statement =>
  statement(
    `SELECT pg_get_userbyid(relowner) AS owner, obj_description(oid, 'pg_class') AS comment, relrowsecurity AS rls,
            relforcerowsecurity AS force_rls, reloptions, relreplident AS replident
       FROM pg_class WHERE oid = to_regclass($1)`,
    [quoteQualified(table)],
  );

/** The owner's own rights come with ownership, so they are left out. */
export const selectGrants = (table: QualifiedName): Statement =>
  statement(
    `SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee) END AS grantee, x.privilege_type AS privilege, x.is_grantable AS grantable, NULL AS column
       FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = to_regclass($1) AND x.grantee <> c.relowner
     UNION ALL
     SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee) END, x.privilege_type, x.is_grantable, a.attname
       FROM pg_attribute a, aclexplode(a.attacl) x WHERE a.attrelid = to_regclass($1) AND a.attacl IS NOT NULL AND NOT a.attisdropped`,
    [quoteQualified(table)],
  );

/** Each policy with its expressions as catalog text, so it can be created again on the twin. */
export const selectPolicies = (table: QualifiedName): Statement =>
  statement(
    `SELECT p.polname AS name, p.polcmd AS cmd, p.polpermissive AS permissive,
            ARRAY(SELECT CASE WHEN r = 0 THEN NULL ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) AS r) AS roles,
            pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS check
       FROM pg_policy p WHERE p.polrelid = to_regclass($1) ORDER BY p.polname`,
    [quoteQualified(table)],
  );

export const selectOwnedSequences = (table: QualifiedName): Statement =>
  statement(
    `SELECT n.nspname AS schema, s.relname AS name, a.attname AS column
       FROM pg_depend d
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_namespace n ON n.oid = s.relnamespace
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = to_regclass($1) AND d.deptype = 'a'`,
    [quoteQualified(table)],
  );

interface PropertiesRow {
  owner: string;
  comment: string | null;
  rls: boolean;
  force_rls: boolean;
  reloptions: string[] | null;
  replident: string;
}

export async function readCarried(session: Session, target: QualifiedName, twin: QualifiedName): Promise<Carried> {
  const p = (await run<PropertiesRow>(session, selectTableProperties(target))).rows[0];
  return {
    properties: { owner: p.owner, comment: p.comment, rls: p.rls, forceRls: p.force_rls, reloptions: p.reloptions ?? [], replicaIdentity: p.replident },
    grants: (await run<Grant>(session, selectGrants(target))).rows,
    policies: (await run<Policy>(session, selectPolicies(target))).rows,
    identities: await identityPairs(session, target, twin),
    ownedSequences: (await run<OwnedSequence>(session, selectOwnedSequences(target))).rows,
  };
}
