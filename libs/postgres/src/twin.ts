import { quoteIdent, quoteQualified, run, runAll, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import type { TwinIndex } from '@ferry/contract';
import { relationExists } from './catalog';
import { commentOn } from './comments';
import { identityPairs, startTwinSequence } from './identity-sequences';
import { twinIndexName } from './names';
import { refusalOf } from './refusals';

// A `replace` can publish without copying the rows a second time: the parts are loaded into
// a twin of the target (same columns, defaults, identity, checks), its indexes are built
// after the load, and finalize's transaction swaps it in for the target (swap.ts). What would
// make the swap unsafe is in swap-blockers.ts.

/** Empty and without indexes: they are built after the load, much faster than maintained row by row. */
export const createTwinTable = (target: QualifiedName, twin: QualifiedName): Statement[] => [
  statement(`DROP TABLE IF EXISTS ${quoteQualified(twin)}`),
  statement(`CREATE TABLE ${quoteQualified(twin)} (LIKE ${quoteQualified(target)} INCLUDING ALL EXCLUDING INDEXES)`),
];

/** A target's index as the twin rebuilds it. */
type IndexDefinition = Omit<TwinIndex, 'temp'>;

export const selectIndexDefinitions = (table: QualifiedName): Statement =>
  statement(
    `SELECT ic.relname AS name,
            CASE WHEN k.contype IN ('p', 'u', 'x') THEN pg_get_constraintdef(k.oid) END AS "constraint",
            CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$') AS definition,
            obj_description(i.indexrelid, 'pg_class') AS comment, obj_description(k.oid, 'pg_constraint') AS "constraintComment"
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')
      WHERE i.indrelid = to_regclass($1)
      ORDER BY ic.relname`,
    [quoteQualified(table)],
  );

/**
 * (Re)creates the twin and returns the target's indexes, each with the temporary name it will
 * have on the twin. Its identity sequences start where the target's are, so rows that take a
 * generated value get the same ones an INSERT would.
 */
export async function createTwin(session: Session, target: QualifiedName, twin: QualifiedName): Promise<TwinIndex[]> {
  await runAll(session, createTwinTable(target, twin));
  await runAll(session, (await identityPairs(session, target, twin)).map(startTwinSequence));
  const { rows } = await run<IndexDefinition>(session, selectIndexDefinitions(target));
  return rows.map((r, n) => ({ ...r, temp: twinIndexName(twin, n) }));
}

/** The index under its temporary name: behind its constraint where it has one. */
export function buildTwinIndex(twin: QualifiedName, index: TwinIndex): Statement {
  return statement(
    index.constraint
      ? `ALTER TABLE ${quoteQualified(twin)} ADD CONSTRAINT ${quoteIdent(index.temp)} ${index.constraint}`
      : `CREATE ${index.definition.startsWith('UNIQUE ') ? 'UNIQUE ' : ''}INDEX ${quoteIdent(index.temp)} ON ${quoteQualified(twin)} ${index.definition.replace(/^UNIQUE /, '')}`,
  );
}

export function commentTwinIndex(twin: QualifiedName, index: TwinIndex): Statement[] {
  return [
    ...(index.comment !== null ? [commentOn({ kind: 'INDEX', name: { schema: twin.schema, name: index.temp } }, index.comment)] : []),
    ...(index.constraintComment !== null ? [commentOn({ kind: 'CONSTRAINT', name: index.temp, on: twin }, index.constraintComment)] : []),
  ];
}

/** Builds the twin's indexes once its rows are in; an index a retry finds built is kept. Rows a unique index refuses fail as RowsRefused. */
export async function buildTwinIndexes(session: Session, twin: QualifiedName, indexes: TwinIndex[]): Promise<void> {
  for (const index of indexes) {
    if (await relationExists(session, { schema: twin.schema, name: index.temp })) continue;
    await run(session, buildTwinIndex(twin, index)).catch((err: { constraint?: string }) => {
      // A unique index the rows violate: name it as the user knows it, not by its temporary name.
      err.constraint = index.name;
      throw refusalOf(err);
    });
    await runAll(session, commentTwinIndex(twin, index));
  }
}
