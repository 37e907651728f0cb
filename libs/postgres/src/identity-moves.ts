import { quoteIdent, quoteQualified, run, runAll, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';

// Rows loaded into an identity column bring their own values; the column's sequence must
// move past the largest of them, or the target's next insert would collide.

export interface LoadedIdentity {
  column: string;
  /** The sequence, as regclass text. */
  sequence: string;
  ascending: boolean;
}

/** The identity columns among `columns`, with their sequences and direction. */
export const selectLoadedIdentities = (table: QualifiedName, columns: string[]): Statement =>
  statement(
    `SELECT a.attname, pg_get_serial_sequence($1, a.attname) AS seq, s.seqincrement > 0 AS ascending
       FROM pg_attribute a
       JOIN pg_sequence s ON s.seqrelid = pg_get_serial_sequence($1, a.attname)::regclass
      WHERE a.attrelid = to_regclass($1) AND a.attidentity <> '' AND NOT a.attisdropped AND a.attname = ANY($2)`,
    [quoteQualified(table), columns],
  );

export async function loadedIdentities(session: Session, table: QualifiedName, columns: string[]): Promise<LoadedIdentity[]> {
  const { rows } = await run<{ attname: string; seq: string; ascending: boolean }>(session, selectLoadedIdentities(table, columns));
  return rows.map((r) => ({ column: r.attname, sequence: r.seq, ascending: r.ascending }));
}

/** A descending identity moves below the smallest value instead; a sequence already beyond stays. */
export function moveIdentityPastLoaded(table: QualifiedName, identity: LoadedIdentity): Statement {
  const [agg, beyond] = identity.ascending ? ['max', '>='] : ['min', '<='];
  return statement(
    `SELECT setval($1, m) FROM (SELECT ${agg}(${quoteIdent(identity.column)}) AS m FROM ${quoteQualified(table)}) AS loaded
        WHERE m IS NOT NULL AND m ${beyond} coalesce(pg_sequence_last_value($1::regclass), m)`,
    [identity.sequence],
  );
}

export async function moveIdentitiesPastLoadedValues(session: Session, table: QualifiedName, columns: string[]): Promise<void> {
  await runAll(
    session,
    (await loadedIdentities(session, table, columns)).map((identity) => moveIdentityPastLoaded(table, identity)),
  );
}
