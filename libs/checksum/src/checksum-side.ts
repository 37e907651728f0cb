import type { Segments } from '@ferry/contract';
import { run, statement, type Session } from '@ferry/sql';
import { canonicalSessionSql } from '@ferry/type-map';
import { leafRowsStatement, segmentsStatement, toLeafRows, toSegments, type LeafRow, type SegmentRow, type SideQuery } from './side-query';

/** What a comparison asks of each side; compare.ts bisects over it, and a test can answer it from memory. */
export interface ChecksumSide {
  /** Without a key, rows cannot be located: the table is one segment. */
  keyed: boolean;
  segments(level: number, prefix?: string): Promise<Segments>;
  leafRows(prefix: string): Promise<LeafRow[]>;
}

/**
 * A side computed by its database over `session`, after the session settings under which the
 * canonical texts are what the type map says (dates in ISO, UTC, shortest exact floats).
 */
export async function databaseSide(session: Session, side: SideQuery): Promise<ChecksumSide> {
  for (const sql of canonicalSessionSql) await run(session, statement(sql));
  return {
    keyed: side.key.length > 0,
    segments: async (level, prefix) => toSegments((await run<SegmentRow>(session, segmentsStatement(side, level, prefix))).rows),
    leafRows: async (prefix) => toLeafRows(side, (await run<Record<string, string | null>>(session, leafRowsStatement(side, prefix))).rows),
  };
}
