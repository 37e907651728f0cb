import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';

// A table's identity columns draw from sequences that belong to them: a twin made LIKE the
// target has its own, which must start (prepare) and continue (the swap) where the target's
// are, and which take the target's sequences' names once it is swapped in.

/** One identity column's sequence on the target and on the twin: as regclass text, and its bare name. */
export interface IdentityPair {
  column: string;
  targetSeq: string;
  twinSeq: string;
  targetName: string;
  twinName: string;
}

interface IdentityPairRow {
  column: string;
  target_seq: string;
  twin_seq: string;
  target_name: string;
  twin_name: string;
}

export const selectIdentityPairs = (target: QualifiedName, twin: QualifiedName): Statement =>
  statement(
    `SELECT a.attname AS column, s.target_seq, s.twin_seq,
            (SELECT relname FROM pg_class WHERE oid = s.target_seq::regclass) AS target_name,
            (SELECT relname FROM pg_class WHERE oid = s.twin_seq::regclass) AS twin_name
       FROM pg_attribute a,
            LATERAL (SELECT pg_get_serial_sequence($1, a.attname) AS target_seq, pg_get_serial_sequence($2, a.attname) AS twin_seq) AS s
      WHERE a.attrelid = to_regclass($1) AND a.attidentity <> '' AND NOT a.attisdropped`,
    [quoteQualified(target), quoteQualified(twin)],
  );

export async function identityPairs(session: Session, target: QualifiedName, twin: QualifiedName): Promise<IdentityPair[]> {
  const { rows } = await run<IdentityPairRow>(session, selectIdentityPairs(target, twin));
  return rows.map((r) => ({ column: r.column, targetSeq: r.target_seq, twinSeq: r.twin_seq, targetName: r.target_name, twinName: r.twin_name }));
}

/** The twin's sequence starts at the target's last value (none yet: it starts fresh too). */
export const startTwinSequence = (pair: IdentityPair): Statement =>
  statement(`SELECT setval($1::regclass, v) FROM (SELECT pg_sequence_last_value($2::regclass) AS v) AS s WHERE v IS NOT NULL`, [pair.twinSeq, pair.targetSeq]);

/**
 * Under the swap's lock the twin's sequence catches up with the target's (other writers may
 * have drawn values since prepare), never moving back past what the twin drew itself.
 */
export const catchUpTwinSequence = (pair: IdentityPair): Statement =>
  statement(
    `SELECT setval($2::regclass, v) FROM (SELECT pg_sequence_last_value($1::regclass) AS v, pg_sequence_last_value($2::regclass) AS w, seqincrement > 0 AS up
                                           FROM pg_sequence WHERE seqrelid = $2::regclass) AS s
        WHERE v IS NOT NULL AND (w IS NULL OR (up AND v > w) OR (NOT up AND v < w))`,
    [pair.targetSeq, pair.twinSeq],
  );
