import { quoteIdent, quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { stagedAs, type LoadConversion } from '@ferry/type-map';
import { relationExists } from './catalog';
import { leaseTableFor } from './names';

// The staging table's life outside the load itself: created by prepare (as the target's twin
// where it can be swapped in, see staged-publish.ts), emptied when its parts are superseded,
// dropped when the run is over.

/**
 * Staging for the insert path: the target's columns and defaults, with the columns converted
 * on publish holding the parts' text as it is, and the columns addColumns adds.
 */
export function createInsertStaging(
  target: QualifiedName,
  staging: QualifiedName,
  conversions: Record<string, LoadConversion>,
  added: { name: string; type: string }[],
): Statement[] {
  const isAdded = new Set(added.map((a) => a.name));
  const alter = [
    ...added.map((a) => `ADD COLUMN ${quoteIdent(a.name)} ${conversions[a.name] ? stagedAs : a.type}`),
    ...Object.keys(conversions)
      .filter((c) => !isAdded.has(c))
      .map((c) => `ALTER COLUMN ${quoteIdent(c)} DROP DEFAULT, ALTER COLUMN ${quoteIdent(c)} TYPE ${stagedAs} USING NULL`),
  ];
  return [
    dropStaging(staging),
    statement(`CREATE TABLE ${quoteQualified(staging)} (LIKE ${quoteQualified(target)} INCLUDING DEFAULTS)`),
    ...(alter.length > 0 ? [statement(`ALTER TABLE ${quoteQualified(staging)} ${alter.join(', ')}`)] : []),
  ];
}

/** Columns staging has and the target does not (the source's row hashes): last, after the target's, as the UNLOAD writes them. */
export const addStagingOnlyColumns = (staging: QualifiedName, columns: { name: string; type: string }[]): Statement[] =>
  columns.map((c) => statement(`ALTER TABLE ${quoteQualified(staging)} ADD COLUMN ${quoteIdent(c.name)} ${c.type}`));

/** CHECKs only staging has: every row COPY writes must pass them (the checksum gate's row hashes). */
export const addStagingChecks = (staging: QualifiedName, checks: { name: string; expression: string }[]): Statement[] =>
  checks.map((c) => statement(`ALTER TABLE ${quoteQualified(staging)} ADD CONSTRAINT ${quoteIdent(c.name)} CHECK (${c.expression})`));

/** The md5 of a validated CHECK's definition as PostgreSQL prints it: whether it still stands, unchanged, is one catalog read. */
export const selectCheckDigest = (table: QualifiedName, name: string): Statement =>
  statement(
    `SELECT md5(pg_get_constraintdef(oid)) AS digest FROM pg_constraint WHERE conrelid = to_regclass($1) AND conname = $2 AND contype = 'c' AND convalidated`,
    [quoteQualified(table), name],
  );

export async function checkDigest(session: Session, table: QualifiedName, name: string): Promise<string | undefined> {
  return (await run<{ digest: string }>(session, selectCheckDigest(table, name))).rows[0]?.digest;
}

/**
 * Before a swap: the twin gives up its staging-only columns (and the CHECKs on them). Dropping
 * is a catalog change, so the rows keep their bytes (16 a row for the row hashes) until the
 * table is next rewritten.
 */
export const dropStagingOnlyColumns = (staging: QualifiedName, columns: string[]): Statement[] =>
  columns.map((c) => statement(`ALTER TABLE ${quoteQualified(staging)} DROP COLUMN IF EXISTS ${quoteIdent(c)}`));

/** TRUNCATE waits for any COPY still holding the table, and keeps the ledger (see resetStaging). */
export const truncateStaging = (staging: QualifiedName): Statement => statement(`TRUNCATE ${quoteQualified(staging)}`);

export const dropStaging = (staging: QualifiedName): Statement => statement(`DROP TABLE IF EXISTS ${quoteQualified(staging)}`);

/** Whether ferry ever prepared a run on this database (its lease table exists). */
export async function leasesExist(session: Session, schema: string): Promise<boolean> {
  return relationExists(session, leaseTableFor(schema));
}
