import { quoteIdent, quoteLiteral, quoteQualified, runAll, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import type { TwinIndex } from '@ferry/contract';
import { readCarried, type Carried, type Grant, type OwnedSequence, type Policy } from './carried';
import { commentOn } from './comments';
import { catchUpTwinSequence } from './identity-sequences';

const PRIVILEGES = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']);
const POLICY_COMMANDS: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };

/**
 * Puts the loaded twin in the target's place, inside finalize's transaction and under its
 * ACCESS EXCLUSIVE lock on the target: what belongs to the table but not to its definition
 * (carried.ts) is carried over, the old table is dropped, the twin takes its schema and name,
 * and its indexes and identity sequences take their old names. All of it commits at once or
 * not at all.
 */
export async function swapIn(session: Session, target: QualifiedName, twin: QualifiedName, indexes: TwinIndex[]): Promise<void> {
  await runAll(session, swapStatements(target, twin, indexes, await readCarried(session, target, twin)));
}

export function swapStatements(target: QualifiedName, twin: QualifiedName, indexes: TwinIndex[], carried: Carried): Statement[] {
  const t = quoteQualified(target);
  const w = quoteQualified(twin);
  const { properties: p, identities, ownedSequences } = carried;
  const options = p.reloptions.map(storageOption);
  const moved: QualifiedName = { schema: target.schema, name: twin.name };
  return [
    ...carried.grants.filter((g) => PRIVILEGES.has(g.privilege)).map((g) => grantOn(w, g)),
    ...(p.comment !== null ? [commentOn({ kind: 'TABLE', name: twin }, p.comment)] : []),
    ...(p.rls ? [statement(`ALTER TABLE ${w} ENABLE ROW LEVEL SECURITY`)] : []),
    ...(p.forceRls ? [statement(`ALTER TABLE ${w} FORCE ROW LEVEL SECURITY`)] : []),
    ...carried.policies.map((policy) => createPolicy(w, policy)),
    ...(options.length > 0 ? [statement(`ALTER TABLE ${w} SET (${options.join(', ')})`)] : []),
    ...(p.replicaIdentity === 'f' ? [statement(`ALTER TABLE ${w} REPLICA IDENTITY FULL`)] : []),
    ...(p.replicaIdentity === 'n' ? [statement(`ALTER TABLE ${w} REPLICA IDENTITY NOTHING`)] : []),
    // The twin's identity sequences continue from wherever the target's are now, and later take the old sequences' names.
    ...identities.map(catchUpTwinSequence),
    // A serial column's sequence belongs to the old table and would be dropped with it, while
    // the twin's default draws from it: it changes hands after the drop.
    ...ownedSequences.map((o) => ownedBy(o, null)),
    statement(`DROP TABLE ${t}`),
    statement(`ALTER TABLE ${w} SET SCHEMA ${quoteIdent(target.schema)}`),
    statement(`ALTER TABLE ${quoteQualified(moved)} RENAME TO ${quoteIdent(target.name)}`),
    // In place, so the owner needs CREATE only where the old table was (swapBlockers checked it).
    statement(`ALTER TABLE ${t} OWNER TO ${quoteIdent(p.owner)}`),
    ...indexes.map((index) => statement(`ALTER INDEX ${quoteQualified({ schema: target.schema, name: index.temp })} RENAME TO ${quoteIdent(index.name)}`)),
    // The twin's identity sequences moved with it (they belong to its columns).
    ...identities.map((s) => statement(`ALTER SEQUENCE ${quoteQualified({ schema: target.schema, name: s.twinName })} RENAME TO ${quoteIdent(s.targetName)}`)),
    ...ownedSequences.map((o) => ownedBy(o, { table: target, column: o.column })),
  ];
}

function grantOn(twin: string, g: Grant): Statement {
  const column = g.column ? ` (${quoteIdent(g.column)})` : '';
  const grantee = g.grantee === null ? 'PUBLIC' : quoteIdent(g.grantee);
  return statement(`GRANT ${g.privilege}${column} ON ${twin} TO ${grantee}${g.grantable ? ' WITH GRANT OPTION' : ''}`);
}

/** A policy recreated on the twin from its catalog text. */
function createPolicy(twin: string, p: Policy): Statement {
  const roles = p.roles.map((r) => (r === null ? 'PUBLIC' : quoteIdent(r))).join(', ');
  return statement(
    [
      `CREATE POLICY ${quoteIdent(p.name)} ON ${twin} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${POLICY_COMMANDS[p.cmd]} TO ${roles}`,
      p.qual !== null ? `USING (${p.qual})` : '',
      p.check !== null ? `WITH CHECK (${p.check})` : '',
    ]
      .filter(Boolean)
      .join(' '),
  );
}

/** `fillfactor=70` as `fillfactor = '70'`: the name is checked, the value quoted. */
function storageOption(option: string): string {
  const at = option.indexOf('=');
  const name = option.slice(0, at);
  if (!/^[a-z_][a-z0-9_.]*$/.test(name)) throw new Error(unexpectedStorageOption(option));
  return `${name} = ${quoteLiteral(option.slice(at + 1))}`;
}

const unexpectedStorageOption = (option: string) => `unexpected storage option ${JSON.stringify(option)} on the target`;

function ownedBy(seq: OwnedSequence, owner: { table: QualifiedName; column: string } | null): Statement {
  return statement(
    `ALTER SEQUENCE ${quoteQualified({ schema: seq.schema, name: seq.name })} OWNED BY ${owner ? `${quoteQualified(owner.table)}.${quoteIdent(owner.column)}` : 'NONE'}`,
  );
}
