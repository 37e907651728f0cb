import { createHash } from 'node:crypto';
import type { QualifiedName } from '@ferry/sql';

// The names of what ferry keeps on a target, all in its staging schema.

/**
 * The staging table of a target: one per target table, so a new run of the same table
 * replaces whatever a failed run left behind, and its name says which table it stages.
 * PostgreSQL truncates identifiers at 63 bytes; long names keep a hash to stay unique.
 */
export function stagingTableFor(target: QualifiedName, stagingSchema: string): QualifiedName {
  return { schema: stagingSchema, name: boundedName(`${target.schema}__${target.name}`) };
}

function boundedName(plain: string): string {
  if (Buffer.byteLength(plain) <= 63) return plain;
  const hash = createHash('sha256').update(plain).digest('hex').slice(0, 12);
  let head = plain;
  while (Buffer.byteLength(head) > 63 - 13) head = head.slice(0, -1);
  return `${head}_${hash}`;
}

/** The ledger records which parts of a run are committed into staging (exactly-once loads). */
export function ledgerTableFor(stagingSchema: string): QualifiedName {
  return { schema: stagingSchema, name: 'ferry_ledger' };
}

/** The leases of running targets (one run per target, see lease.ts). */
export function leaseTableFor(stagingSchema: string): QualifiedName {
  return { schema: stagingSchema, name: 'ferry_runs' };
}

/** Which columns each target's last successful run loaded (see loaded-columns.ts). */
export function loadedColumnsTableFor(stagingSchema: string): QualifiedName {
  return { schema: stagingSchema, name: 'ferry_loaded_columns' };
}

/** The columns each target's current run loads (see run-columns.ts). */
export function runColumnsTableFor(stagingSchema: string): QualifiedName {
  return { schema: stagingSchema, name: 'ferry_run_columns' };
}

/** Where finalize records that a run published, so a retry after its commit publishes nothing twice. */
export function publishedTableFor(stagingSchema: string): QualifiedName {
  return { schema: stagingSchema, name: 'ferry_published' };
}

/** The parts each run's UNLOAD wrote, by attempt and ordinal (see parts-registry.ts). */
export function partsTableFor(stagingSchema: string): QualifiedName {
  return { schema: stagingSchema, name: 'ferry_parts' };
}

/** A sync's differing segments per unload attempt (see sync-segments.ts). */
export function syncSegmentsTableFor(stagingSchema: string): QualifiedName {
  return { schema: stagingSchema, name: 'ferry_sync_segments' };
}

/** ferry's own tables in a staging schema: what is left there when no run is in flight. */
export function bookkeepingTables(stagingSchema: string): QualifiedName[] {
  return [ledgerTableFor, leaseTableFor, loadedColumnsTableFor, publishedTableFor, runColumnsTableFor, partsTableFor, syncSegmentsTableFor].map((f) =>
    f(stagingSchema),
  );
}

/** The twin's n-th index until the swap renames it; unique within the staging schema. */
export function twinIndexName(twin: QualifiedName, n: number): string {
  return boundedName(`${twin.name}_i${n}`);
}
