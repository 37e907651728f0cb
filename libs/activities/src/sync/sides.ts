import { bucketOf, postgresSide, redshiftSide, rowHash, segmentsStatement, type SideQuery } from '@ferry/checksum';
import { describeTarget, serverEncoding, type SyncHashes } from '@ferry/postgres';
import { quoteQualified, type Session } from '@ferry/sql';
import type { TransferPlan } from '@ferry/contract';

// The two sides a sync compares, hashed exactly as the checksum gate hashes a row (the columns
// the UNLOAD can hash, `inUnload`), so a segment's sum on either side adds up the very hashes
// the UNLOAD carries beside the rows.

const columnsOf = (plan: TransferPlan) => plan.target.columns.map((name) => ({ name, type: plan.source.types![name] }));

/** The source table (or query) as Redshift hashes it. */
export function sourceSyncSide(plan: TransferPlan): SideQuery {
  return redshiftSide(plan.source.from!, plan.source.where, columnsOf(plan), plan.sync!.key, { inUnload: true });
}

/**
 * The target table as PostgreSQL hashes it: its typed columns as staging's CHECK hashes them
 * once published (the target's base types where no conversion applies, its encoding).
 */
export async function targetSyncSide(session: Session, plan: TransferPlan): Promise<SideQuery> {
  const bases = new Map((await describeTarget(session, plan.target.table))?.map((c) => [c.name, c.type.base]));
  const utf8 = (await serverEncoding(session)) === 'UTF8';
  const columns = columnsOf(plan).map((c) => ({
    ...c,
    ...(!plan.target.conversions?.[c.name] && bases.get(c.name) && { targetBase: bases.get(c.name) }),
  }));
  return postgresSide(quoteQualified(plan.target.table), columns, plan.sync!.key, { inUnload: true, utf8 });
}

/** What the publishing transaction computes over the target's rows (libs/postgres sync-publish.ts). */
export function syncHashes(side: SideQuery, depth: number): SyncHashes {
  return {
    segmentOf: bucketOf(side, depth),
    rowHashOf: `CAST(${rowHash(side)} AS uuid)`,
    segmentSums: (where) => segmentsStatement({ ...side, where }, depth).text,
  };
}
