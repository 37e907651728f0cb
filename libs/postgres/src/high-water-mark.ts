import { quoteIdent, quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';

// An incremental transfer's mark: the target's largest value of the column, as text that
// reads back the same on the source.

/** ISO dates, UTC, shortest exact floats: a form Redshift reads back as the same value. */
export const markSettings = (): Statement => statement(`SET DateStyle = 'ISO'; SET TimeZone = 'UTC'; SET extra_float_digits = 1`);

export const selectHighWaterMark = (table: QualifiedName, column: string): Statement =>
  statement(`SELECT max(${quoteIdent(column)})::text AS after FROM ${quoteQualified(table)}`);

/** null when the target has no rows (or only NULLs in the column). */
export async function readHighWaterMark(session: Session, table: QualifiedName, column: string): Promise<string | null> {
  await run(session, markSettings());
  return (await run<{ after: string | null }>(session, selectHighWaterMark(table, column))).rows[0].after;
}
