import type { TransferPlan } from '@ferry/contract';
import type { RepeatedKey, SyncProofFailed } from '@ferry/postgres';
import { displayName } from '@ferry/sql';
import { FailureType, nonRetryable } from '../failures';

// Why finalize did not publish; each says the target was not changed.

export function rowCountsDisagree(plan: TransferPlan, counts: { manifest: number; imported: number; staged: number }) {
  return nonRetryable(
    `row counts disagree for ${displayName(plan.target.table)}: manifest ${counts.manifest}, imported ${counts.imported}, staged ${counts.staged}; the target was not changed and staging table ${displayName(plan.target.staging)} is kept for inspection`,
    FailureType.verification,
  );
}

/**
 * Staging disagrees with the UNLOAD manifest (the parts registry's proof). The first time the
 * workflow resets staging and loads exactly the manifest's parts again; the last time it is a
 * verification failure.
 */
export function partsDisagree(plan: TransferPlan, proof: { problemCount: number; problems: string[] }, lastTry: boolean) {
  const more = proof.problemCount - proof.problems.length;
  const problems = `${proof.problems.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
  return lastTry
    ? nonRetryable(
        `the parts loaded into staging disagree with the UNLOAD manifest even after loading exactly its parts again: ${problems}. The target ${displayName(plan.target.table)} was not changed; the unloaded files and staging table ${displayName(plan.target.staging)} are kept for inspection`,
        FailureType.verification,
      )
    : nonRetryable(`the loaded parts disagree with the manifest: ${problems}`, FailureType.partsDisagree);
}

/** Redshift's primary keys and unique constraints are informational: its rows may repeat a key the target enforces. */
export function duplicateKeyFailure(plan: TransferPlan, err: { detail?: string; message: string; constraint?: string }) {
  return nonRetryable(
    `cannot publish into ${displayName(plan.target.table)}: ${err.detail ?? err.message} (constraint ${JSON.stringify(err.constraint)}). Redshift does not enforce primary keys or unique constraints, so the source holds that key more than once${plan.target.mode === 'replace' ? '' : ' or the target already has it'}: remove the duplicates in the source, or select one row per key with source.query. The target was not changed`,
    FailureType.badKey,
  );
}

export function publishValueFailure(plan: TransferPlan, err: { message: string }) {
  return nonRetryable(
    `publishing into ${displayName(plan.target.table)} failed on a value: ${err.message}. The target was not changed; staging table ${displayName(plan.target.staging)} is kept for inspection`,
    FailureType.badData,
  );
}

/** An upsert or a sync matches rows by key, so the source's rows must not repeat one or hold a NULL in it. */
export function repeatedUpsertKeyFailure(plan: TransferPlan, repeated: RepeatedKey) {
  const key = repeated.values.map(({ column, value }) => `${column}=${value === null ? 'NULL' : JSON.stringify(String(value))}`).join(', ');
  return nonRetryable(
    `cannot ${plan.target.mode === 'sync' ? 'sync' : 'upsert'} into ${displayName(plan.target.table)}: the source has ${repeated.rows === 1 ? 'a NULL in' : `${repeated.rows} rows with`} key (${key}); ${plan.target.mode === 'sync' ? "the key (target.key, or the target's primary key)" : 'target.key'} must name columns that are unique and not NULL in the source. The target was not changed`,
    FailureType.badKey,
  );
}

/** A sync's proof after writing, in its transaction: rolled back, so the target is as it was. */
export function syncProofFailure(plan: TransferPlan, err: SyncProofFailed) {
  const segments = err.segments.map((s) => `${s.segment} (source ${s.sourceRows} rows, target ${s.targetRows})`).join(', ');
  return nonRetryable(
    `the sync of ${displayName(plan.target.table)} did not come out equal to the source's snapshot (${segments ? `segments ${segments}` : `rows: source ${err.rows.source}, target ${err.rows.target}`}), so nothing was published: the target was not changed. Either something other than ferry wrote the target during the sync (run it again: it compares afresh), or the source repeats a key of target.key (Redshift does not enforce keys: find it with GROUP BY … HAVING count(*) > 1)`,
    FailureType.verification,
  );
}
