import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { leaseTableFor } from './names';

// The staging table's life outside the load itself: emptied when its parts are superseded,
// dropped when the run is over.

/** TRUNCATE waits for any COPY still holding the table, and keeps the ledger (see resetStaging). */
export const truncateStaging = (staging: QualifiedName): Statement => statement(`TRUNCATE ${quoteQualified(staging)}`);

export const dropStaging = (staging: QualifiedName): Statement => statement(`DROP TABLE IF EXISTS ${quoteQualified(staging)}`);

/** Whether ferry ever prepared a run on this database (its lease table exists). */
export async function leasesExist(session: Session, schema: string): Promise<boolean> {
  const { rows } = await run<{ present: boolean }>(
    session,
    statement(`SELECT to_regclass($1) IS NOT NULL AS present`, [quoteQualified(leaseTableFor(schema))]),
  );
  return rows[0].present;
}
