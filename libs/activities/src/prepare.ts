import { displayName, run, type QualifiedName, type Session } from '@ferry/sql';
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { redshiftConnection } from '@ferry/config';
import { loadConversion, type LoadConversion } from '@ferry/type-map';
import { CARRIED_CHECK, CARRIED_HASH_COLUMN, CARRIED_HASH_TYPE, comparable, syncDepth } from '@ferry/checksum';
import { carriedCheckOn } from './verify/carried-gate';
import { afterMark, unloadSelect } from '@ferry/redshift';
import { useSource } from './source-session';
import { loadTaskQueue } from './task-queues';
import type { ActivityDeps } from './deps';
import {
  carriedColumnTaken,
  compressionNotLoadable,
  keyNotLoaded,
  markColumnNotLoaded,
  syncKeyNotComparable,
  syncKeyNotUnique,
  syncKeyNullable,
  syncOverDataApi,
  syncWithoutKey,
  targetMissing,
} from './failure-messages/prepare';
import { describeSource, sourceRelation, type SourceColumn } from './source-columns';
import {
  checkDigest,
  createStaging,
  createTarget,
  describeTarget,
  dropStaging,
  ensureBookkeeping,
  estimateRows,
  hasRows,
  isUniqueKey,
  nullableColumns,
  primaryKeyOf,
  readHighWaterMark,
  readLoadedColumns,
  recordRunColumns,
  serverEncoding,
} from '@ferry/postgres';
import { checkColumns } from './target-columns';
import { locateTarget, runFolder } from './target-locations';
import { acquireTargetLease, releaseTargetLease } from './run-lease';
import type { Compression, LoadMethod, PrepareInput, SyncPlan, TransferPlan } from '@ferry/contract';

/**
 * Checks everything that can be checked before data moves — connections, the source
 * table or query, the target table and its columns — creates a missing target when asked
 * to, and creates the run's staging table. Every problem found here is one a retry cannot
 * fix, so it fails non-retryably, before anything is unloaded.
 */
export async function prepare(deps: ActivityDeps, input: PrepareInput): Promise<TransferPlan> {
  const sourceConn = redshiftConnection(deps.config, input.source.connection);
  const where = locateTarget(deps, input.target, input.s3);
  const { table: target, staging } = where;
  const targetLabel = displayName(target);
  const loadMethod = chooseLoadMethod(input, where.connection.loadMethod);

  const source = sourceRelation(input);
  const sourceColumns = await useSource(deps.sessions, sourceConn, 'ferry prepare', (reader) => describeSource(reader, source, input.source.connection));
  const conversions = loadConversions(sourceColumns);
  const columns = sourceColumns.map((c) => c.name);
  const types = Object.fromEntries(sourceColumns.map((c) => [c.name, c.type]));
  // The checksum gate's row hashes travel as one more column of the UNLOAD, kept in staging
  // beside each row. A sync always carries them: its publish matches rows by them.
  const sync = input.target.mode === 'sync';
  if (sync && sourceConn.transport === 'data-api') throw syncOverDataApi(input.source.connection);
  const carried = input.verify === 'checksum' || sync ? CARRIED_HASH_COLUMN : undefined;
  if (carried && columns.includes(carried)) throw carriedColumnTaken(carried, source.label);

  const prepared = await deps.sessions.use(where.connection, 'ferry prepare', async (client) => {
    // The lease comes first: two first runs of a new target would otherwise both try to create it,
    // and the one that created it could then be the one refused as busy.
    await ensureBookkeeping(client, staging.schema);
    await acquireTargetLease(client, staging.schema, target, { workflowId: input.workflowId, runId: input.runId });
    try {
      let targetColumns = await describeTarget(client, target);
      let created: TransferPlan['target']['created'];
      if (!targetColumns) {
        if (input.target.create !== 'ifMissing') {
          throw targetMissing(targetLabel, where.connection.database, input.target.connection);
        }
        const definition = await useSource(deps.sessions, sourceConn, 'ferry prepare', (reader) => reader.readDefinition(source, sourceColumns));
        const made = await createTarget(client, target, definition, { indexes: input.target.indexes ?? 'none' });
        if (made.created) created = { droppedDefaults: made.droppedDefaults };
        targetColumns = (await describeTarget(client, target))!;
      }
      const addColumns = checkColumns({
        source: sourceColumns,
        target: targetColumns,
        sourceLabel: source.label,
        targetLabel,
        onSchemaChange: input.onSchemaChange ?? 'fail',
        previouslyLoaded: await readLoadedColumns(client, staging.schema, target),
      });
      checkKey(input.target.key, columns, targetLabel);
      await run(client, recordRunColumns(staging.schema, target, input.runId, carried ? [...columns, carried] : columns));
      // Read after taking the lease: no other run of this target can move the mark meanwhile.
      const incremental = input.incremental && (await highWaterMark(client, target, input.incremental.column, columns));
      const stagingOnly = carried ? [{ name: carried, type: CARRIED_HASH_TYPE }] : [];
      const bases = Object.fromEntries(targetColumns.map((c) => [c.name, c.type.base]));
      const utf8 = carried !== undefined && (await serverEncoding(client)) === 'UTF8';
      const checks = carried ? [{ name: CARRIED_CHECK, expression: carriedCheckOn(sourceColumns, conversions, { bases, utf8 }) }] : [];
      const publish = await createStaging(client, { mode: input.target.mode, target, staging, conversions, added: addColumns, stagingOnly, checks });
      const verifyKey = carried ? usableKey(input.target.key ?? (await primaryKeyOf(client, target)), sourceColumns) : undefined;
      const digest = carried ? await checkDigest(client, staging, CARRIED_CHECK) : undefined;
      // Without it finalize could not tell the CHECK still stands: no run goes on unproven.
      if (carried && !digest) throw new Error(`staging table ${displayName(staging)} has no validated ${CARRIED_CHECK} CHECK after prepare made it`);
      const syncKey = sync ? (input.target.key ?? (await primaryKeyOf(client, target))) : [];
      checkKey(syncKey, columns, targetLabel);
      const syncPlan = sync
        ? await planSync(client, input, target, { comparableKey: verifyKey ?? [], key: syncKey, addsColumns: addColumns.length > 0, columns: sourceColumns })
        : undefined;
      return { incremental, created, addColumns, verifyKey, publish, digest, syncPlan };
    } catch (err) {
      // A refusal ends the run: its lease and staging go now, not when its workflow ends (for a
      // small table, the whole pipeline's), so a corrected run of the target is not refused as busy.
      if (err instanceof ApplicationFailure && err.nonRetryable) {
        await run(client, dropStaging(staging)).catch(() => undefined);
        await releaseTargetLease(client, staging.schema, target, input.runId).catch(() => undefined);
      }
      throw err;
    }
  });
  const { incremental, created, addColumns, verifyKey, publish, digest, syncPlan } = prepared;
  const condition = incremental && incremental.after !== null ? afterMark(incremental.column, input.target.mode, incremental.after) : undefined;

  return {
    runId: input.runId,
    source: {
      connection: input.source.connection,
      label: source.label,
      select: unloadSelect(source, sourceColumns, condition),
      incremental,
      from: source.from,
      ...(condition && { where: condition }),
      types,
    },
    ...(verifyKey && carried && digest && { verify: { mode: 'checksum' as const, key: verifyKey, carried, check: { name: CARRIED_CHECK, digest } } }),
    target: {
      connection: input.target.connection,
      table: target,
      staging,
      columns,
      columnsRecorded: true,
      ...(Object.keys(conversions).length > 0 && { conversions }),
      ...(addColumns.length > 0 && { addColumns }),
      ...(created && { created }),
      mode: input.target.mode,
      key: syncPlan?.key ?? input.target.key,
      loadMethod,
      loadTaskQueue: loadTaskQueue(activityInfo().taskQueue, input.target.connection),
      publish,
    },
    ...(syncPlan && { sync: syncPlan }),
    s3: { bucket: where.bucket, folder: where.folder, prefix: runFolder(where, input.runId) },
    unload: input.unload,
  };
}

/** The default share of differing segments above which a sync copies the whole table. */
export const SYNC_FULL_COPY_ABOVE = 0.25;

/**
 * A sync's key (target.key, or the target's primary key), checked: the rows are located by
 * its md5, so it must be comparable and never NULL. A target without rows is copied whole.
 * The depth comes from the target's row estimate, read after the lease is taken.
 */
async function planSync(
  session: Session,
  input: PrepareInput,
  target: QualifiedName,
  { comparableKey, key, addsColumns, columns }: { comparableKey: string[]; key: string[]; addsColumns: boolean; columns: SourceColumn[] },
): Promise<SyncPlan> {
  const label = displayName(target);
  if (key.length === 0) throw syncWithoutKey(label);
  if (comparableKey.length === 0) throw syncKeyNotComparable(key, label);
  const nullable = await nullableColumns(session, target, key);
  if (nullable.length > 0) throw syncKeyNullable(nullable, label);
  if (!(await isUniqueKey(session, target, key))) throw syncKeyNotUnique(key, label);
  const fullCopyAbove = input.sync?.fullCopyAbove ?? SYNC_FULL_COPY_ABOVE;
  const full = (why: string) => ({ key, depth: 1, fullCopyAbove, full: why });
  if (!(await hasRows(session, target))) return full('the target is empty: a first sync copies every row');
  // Every row the target holds needs the new column's values: none is equal as it is.
  if (addsColumns) return full('a column is added to the target (onSchemaChange: addColumns): every row is copied');
  // A change in a column the row hash leaves out would not show in any segment.
  const unhashed = comparable(columns, { inUnload: true }).leftOut;
  if (unhashed.length > 0) {
    return full(`${unhashed.map((c) => `column ${JSON.stringify(c.column)} (${c.reason})`).join('; ')}: a change in it would not show, so every row is copied`);
  }
  return { key, depth: syncDepth(await estimateRows(session, target)), fullCopyAbove };
}

/**
 * The key the checksum gate locates rows by: the whole key, when the transfer loads every
 * column of it and each has a canonical form; otherwise the table is compared as one
 * segment (a partial key repeats, so rows could not be told apart).
 */
function usableKey(key: string[], columns: SourceColumn[]): string[] {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const ok = key.length > 0 && key.every((k) => byName.has(k) && comparable([byName.get(k)!], { inUnload: true }).compared.length === 1);
  return ok ? key : [];
}

/** The columns that are staged as text and converted on publish, with their conversion. */
function loadConversions(columns: SourceColumn[]): Record<string, LoadConversion> {
  const out: Record<string, LoadConversion> = {};
  for (const c of columns) {
    const conversion = loadConversion(c.type);
    if (conversion) out[c.name] = conversion;
  }
  return out;
}

/** The target's largest value of the incremental column, as text the source reads back as the same value (@ferry/postgres). */
async function highWaterMark(session: Session, target: QualifiedName, column: string, columns: string[]): Promise<{ column: string; after: string | null }> {
  if (!columns.includes(column)) {
    throw markColumnNotLoaded(column, columns, displayName(target));
  }
  return { column, after: await readHighWaterMark(session, target, column) };
}

/** The input's load method or the connection's default, refused if it cannot read the parts. */
export function chooseLoadMethod(input: Pick<PrepareInput, 'loadMethod' | 'unload'>, connectionDefault: LoadMethod): LoadMethod {
  const method = input.loadMethod ?? connectionDefault;
  checkCompression(input.unload.compression, method);
  return method;
}

/**
 * Neither loader reads ZSTD or BZIP2 parts: RDS's aws_s3 import decompresses gzip only, and
 * Node 20's zlib has no zstd. Refused before anything is unloaded.
 */
function checkCompression(compression: Compression, method: LoadMethod): void {
  if (compression === 'gzip' || compression === 'none') return;
  throw compressionNotLoadable(compression, method);
}

/** An upsert matches rows on key columns that the transfer loads. */
function checkKey(key: string[] | undefined, columns: string[], targetLabel: string): void {
  const missing = (key ?? []).filter((k) => !columns.includes(k));
  if (missing.length > 0) throw keyNotLoaded(missing, columns, targetLabel);
}
