import type { Client } from 'pg';
import { quoteIdent, quoteLiteral, quoteQualified, type QualifiedName } from '@ferry/sql';
import type { TwinIndex } from '@ferry/contract';
import { commentSql, identitySequences } from './twin';

const PRIVILEGES = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']);
const POLICY_COMMANDS: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };

/**
 * Puts the loaded twin in the target's place, inside finalize's transaction and under its
 * ACCESS EXCLUSIVE lock on the target: what belongs to the table but not to its definition
 * (owner, grants, comment, row-level security and policies, storage options, replica
 * identity, sequences owned by its columns, identity sequences' positions) is carried over,
 * the old table is dropped, the twin takes its schema and name, and its indexes and identity
 * sequences take their old names. All of it commits at once or not at all.
 */
export async function swapIn(client: Client, target: QualifiedName, twin: QualifiedName, indexes: TwinIndex[]): Promise<void> {
  const t = quoteQualified(target);
  const w = quoteQualified(twin);
  const meta = await client.query<{ owner: string; comment: string | null; rls: boolean; force_rls: boolean; reloptions: string[] | null; replident: string }>(
    `SELECT pg_get_userbyid(relowner) AS owner, obj_description(oid, 'pg_class') AS comment, relrowsecurity AS rls,
            relforcerowsecurity AS force_rls, reloptions, relreplident AS replident
       FROM pg_class WHERE oid = to_regclass($1)`,
    [t],
  );
  const m = meta.rows[0];
  for (const sql of await grantsOf(client, t, w)) await client.query(sql);
  if (m.comment !== null) await client.query(commentSql({ kind: 'TABLE', name: twin }, m.comment));
  if (m.rls) await client.query(`ALTER TABLE ${w} ENABLE ROW LEVEL SECURITY`);
  if (m.force_rls) await client.query(`ALTER TABLE ${w} FORCE ROW LEVEL SECURITY`);
  for (const sql of await policiesOf(client, t, w)) await client.query(sql);
  const options = (m.reloptions ?? []).map(storageOption);
  if (options.length > 0) await client.query(`ALTER TABLE ${w} SET (${options.join(', ')})`);
  if (m.replident === 'f') await client.query(`ALTER TABLE ${w} REPLICA IDENTITY FULL`);
  if (m.replident === 'n') await client.query(`ALTER TABLE ${w} REPLICA IDENTITY NOTHING`);

  // The twin's identity sequences continue from wherever the target's are now (other writers
  // may have drawn values since prepare), and later take the old sequences' names.
  const identities = await identitySequences(client, target, twin);
  for (const s of identities) {
    await client.query(
      `SELECT setval($2::regclass, v) FROM (SELECT pg_sequence_last_value($1::regclass) AS v, pg_sequence_last_value($2::regclass) AS w, seqincrement > 0 AS up
                                           FROM pg_sequence WHERE seqrelid = $2::regclass) AS s
        WHERE v IS NOT NULL AND (w IS NULL OR (up AND v > w) OR (NOT up AND v < w))`,
      [s.targetSeq, s.twinSeq],
    );
  }
  // A serial column's sequence belongs to the old table and would be dropped with it, while
  // the twin's default draws from it: it changes hands after the drop.
  const owned = await client.query<{ schema: string; name: string; column: string }>(
    `SELECT n.nspname AS schema, s.relname AS name, a.attname AS column
       FROM pg_depend d
       JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_namespace n ON n.oid = s.relnamespace
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = to_regclass($1) AND d.deptype = 'a'`,
    [t],
  );
  for (const o of owned.rows) await client.query(ownedBySql(o, null));

  await client.query(`DROP TABLE ${t}`);
  await client.query(`ALTER TABLE ${w} SET SCHEMA ${quoteIdent(target.schema)}`);
  const moved: QualifiedName = { schema: target.schema, name: twin.name };
  await client.query(`ALTER TABLE ${quoteQualified(moved)} RENAME TO ${quoteIdent(target.name)}`);
  // In place, so the owner needs CREATE only where the old table was (swapBlockers checked it).
  await client.query(`ALTER TABLE ${t} OWNER TO ${quoteIdent(m.owner)}`);
  for (const index of indexes) {
    await client.query(`ALTER INDEX ${quoteQualified({ schema: target.schema, name: index.temp })} RENAME TO ${quoteIdent(index.name)}`);
  }
  // The twin's identity sequences moved with it (they belong to its columns).
  for (const s of identities) {
    await client.query(`ALTER SEQUENCE ${quoteQualified({ schema: target.schema, name: s.twinName })} RENAME TO ${quoteIdent(s.targetName)}`);
  }
  for (const o of owned.rows) await client.query(ownedBySql(o, { table: target, column: o.column }));
}

/**
 * The target's table and column privileges as GRANT statements for the twin. The owner's
 * own rights come with ownership.
 */
async function grantsOf(client: Client, target: string, twin: string): Promise<string[]> {
  const res = await client.query<{ grantee: string | null; privilege: string; grantable: boolean; column: string | null }>(
    `SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee) END AS grantee, x.privilege_type AS privilege, x.is_grantable AS grantable, NULL AS column
       FROM pg_class c, aclexplode(c.relacl) x WHERE c.oid = to_regclass($1) AND x.grantee <> c.relowner
     UNION ALL
     SELECT CASE WHEN x.grantee = 0 THEN NULL ELSE pg_get_userbyid(x.grantee) END, x.privilege_type, x.is_grantable, a.attname
       FROM pg_attribute a, aclexplode(a.attacl) x WHERE a.attrelid = to_regclass($1) AND a.attacl IS NOT NULL AND NOT a.attisdropped`,
    [target],
  );
  return res.rows
    .filter((r) => PRIVILEGES.has(r.privilege))
    .map(
      (r) =>
        `GRANT ${r.privilege}${r.column ? ` (${quoteIdent(r.column)})` : ''} ON ${twin} TO ${r.grantee === null ? 'PUBLIC' : quoteIdent(r.grantee)}${r.grantable ? ' WITH GRANT OPTION' : ''}`,
    );
}

/** The target's row-level security policies, recreated on the twin from their catalog text. */
async function policiesOf(client: Client, target: string, twin: string): Promise<string[]> {
  const res = await client.query<{ name: string; cmd: string; permissive: boolean; roles: (string | null)[]; qual: string | null; check: string | null }>(
    `SELECT p.polname AS name, p.polcmd AS cmd, p.polpermissive AS permissive,
            ARRAY(SELECT CASE WHEN r = 0 THEN NULL ELSE pg_get_userbyid(r)::text END FROM unnest(p.polroles) AS r) AS roles,
            pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS check
       FROM pg_policy p WHERE p.polrelid = to_regclass($1) ORDER BY p.polname`,
    [target],
  );
  return res.rows.map((p) => {
    const roles = p.roles.map((r) => (r === null ? 'PUBLIC' : quoteIdent(r))).join(', ');
    return [
      `CREATE POLICY ${quoteIdent(p.name)} ON ${twin} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${POLICY_COMMANDS[p.cmd]} TO ${roles}`,
      p.qual !== null ? `USING (${p.qual})` : '',
      p.check !== null ? `WITH CHECK (${p.check})` : '',
    ]
      .filter(Boolean)
      .join(' ');
  });
}

/** `fillfactor=70` as `fillfactor = '70'`: the name is checked, the value quoted. */
function storageOption(option: string): string {
  const at = option.indexOf('=');
  const name = option.slice(0, at);
  if (!/^[a-z_][a-z0-9_.]*$/.test(name)) throw new Error(`unexpected storage option ${JSON.stringify(option)} on the target`);
  return `${name} = ${quoteLiteral(option.slice(at + 1))}`;
}

function ownedBySql(seq: QualifiedName, owner: { table: QualifiedName; column: string } | null): string {
  return `ALTER SEQUENCE ${quoteQualified(seq)} OWNED BY ${owner ? `${quoteQualified(owner.table)}.${quoteIdent(owner.column)}` : 'NONE'}`;
}
