import type { Client } from 'pg';
import { displayName, quoteIdent, quoteQualified, quoteRedshiftLiteral, type QualifiedName } from '@ferry/sql';
import { activityInfo } from '@temporalio/activity';
import { redshiftConnection } from '@ferry/config';
import { canonicalForm, loadConversion, stagedAs, unloadExpression, type LoadConversion } from '@ferry/type-map';
import { loadTaskQueue } from './task-queues';
import type { ActivityDeps } from './deps';
import { createTarget } from './create-target';
import { FailureType, nonRetryable } from './failures';
import { readSourceDefinition } from './source-catalog';
import { describeSource, sourceRelation, type SourceColumn } from './source-columns';
import { describeTarget, ensureBookkeeping, primaryKeyOf, readLoadedColumns } from '@ferry/postgres';
import { createTwin, swapBlockers } from './twin';
import { checkColumns, type AddedColumn } from './target-columns';
import { locateTarget } from './target-locations';
import { acquireTargetLease } from './run-lease';
import type { Compression, LoadMethod, LoadMode, PlannedPublish, PrepareInput, TransferPlan } from '@ferry/contract';

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
  const sourceColumns = await deps.sessions.use(sourceConn, 'ferry prepare', (client) => describeSource(client, source, input.source.connection));
  const conversions = loadConversions(sourceColumns);
  const columns = sourceColumns.map((c) => c.name);

  const prepared = await deps.sessions.use(where.connection, 'ferry prepare', async (client) => {
    let targetColumns = await describeTarget(client, target);
    let created: TransferPlan['target']['created'];
    if (!targetColumns) {
      if (input.target.create !== 'ifMissing') {
        throw nonRetryable(
          `target table ${targetLabel} does not exist in database ${JSON.stringify(where.connection.database)} (connection ${JSON.stringify(input.target.connection)}): create it before the transfer, or set target.create: ifMissing to create it from the source`,
          FailureType.missingTarget,
        );
      }
      const definition = await deps.sessions.use(sourceConn, 'ferry prepare', (c) => readSourceDefinition(c, source, sourceColumns));
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
    await ensureBookkeeping(client, staging.schema);
    await acquireTargetLease(client, staging.schema, target, { workflowId: input.workflowId, runId: input.runId });
    // Read after taking the lease: no other run of this target can move the mark meanwhile.
    const incremental = input.incremental && (await highWaterMark(client, target, input.incremental.column, columns));
    const publish = await createStaging(client, input.target.mode, target, staging, conversions, addColumns);
    const verifyKey = input.verify === 'checksum' ? usableKey(input.target.key ?? (await primaryKeyOf(client, target)), sourceColumns) : undefined;
    return { incremental, created, addColumns, verifyKey, publish };
  });
  const { incremental, created, addColumns, verifyKey, publish } = prepared;
  const condition =
    incremental && incremental.after !== null
      ? incrementalCondition(incremental.column, input.target.mode, quoteRedshiftLiteral(incremental.after))
      : undefined;

  return {
    runId: input.runId,
    source: {
      connection: input.source.connection,
      label: source.label,
      select: buildSelect(sourceColumns, source.from, condition),
      incremental,
      from: source.from,
      ...(condition && { where: condition }),
      types: Object.fromEntries(sourceColumns.map((c) => [c.name, c.type])),
    },
    ...(verifyKey && { verify: { mode: 'checksum' as const, key: verifyKey } }),
    target: {
      connection: input.target.connection,
      table: target,
      staging,
      columns,
      ...(Object.keys(conversions).length > 0 && { conversions }),
      ...(addColumns.length > 0 && { addColumns }),
      ...(created && { created }),
      mode: input.target.mode,
      key: input.target.key,
      loadMethod,
      loadTaskQueue: loadTaskQueue(activityInfo().taskQueue, input.target.connection),
      publish,
    },
    s3: { bucket: where.bucket, folder: where.folder, prefix: `${where.folder}${input.runId}/` },
    unload: input.unload,
  };
}

/**
 * The key the checksum gate locates rows by: the whole key, when the transfer loads every
 * column of it and each has a canonical form; otherwise the table is compared as one
 * segment (a partial key repeats, so rows could not be told apart).
 */
function usableKey(key: string[], columns: SourceColumn[]): string[] {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const ok = key.length > 0 && key.every((k) => byName.has(k) && canonicalForm(byName.get(k)!.type.kind).compared);
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

/**
 * The target's largest value of the incremental column, as text in a form that reads back
 * the same on the source (ISO dates, UTC time zone, shortest exact floats).
 */
async function highWaterMark(client: Client, target: QualifiedName, column: string, columns: string[]): Promise<{ column: string; after: string | null }> {
  if (!columns.includes(column)) {
    throw nonRetryable(
      `incremental.column ${JSON.stringify(column)} is not among the columns loaded into ${displayName(target)} (${columns.join(', ')}): name a column the source returns`,
      FailureType.invalidInput,
    );
  }
  await client.query(`SET DateStyle = 'ISO'; SET TimeZone = 'UTC'; SET extra_float_digits = 1`);
  const res = await client.query<{ after: string | null }>(`SELECT max(${quoteIdent(column)})::text AS after FROM ${quoteQualified(target)}`);
  return { column, after: res.rows[0].after };
}

/**
 * The SELECT that UNLOAD runs, each column in the expression the type map unloads it with.
 * An incremental condition's literal is untyped, so the source compares it as the column's own type.
 */
function buildSelect(columns: SourceColumn[], from: string, where: string | undefined): string {
  const select = `SELECT ${columns.map((c) => unloadExpression(quoteIdent(c.name), c.type)).join(', ')} FROM ${from}`;
  return where ? `${select} WHERE ${where}` : select;
}

/**
 * Incremental appends take rows strictly above the mark; upserts take the mark's own rows
 * again too, which they overwrite harmlessly, so rows that arrived with the same value after
 * the previous run are not missed. `mark` is SQL: a literal, or a description in `ferry plan`.
 */
export function incrementalCondition(column: string, mode: LoadMode, mark: string): string {
  return `${quoteIdent(column)} ${mode === 'upsert' ? '>=' : '>'} ${mark}`;
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
  const reader =
    method === 'aws_s3'
      ? "RDS's aws_s3.table_import_from_s3 imports only gzip or uncompressed files"
      : "ferry's copy loader reads only gzip or uncompressed parts";
  throw nonRetryable(
    `unload.compression "${compression}" cannot be loaded with load.method "${method}": ${reader}. Choose unload.compression "gzip" (or "none")`,
    FailureType.invalidInput,
  );
}

/** An upsert matches rows on key columns that the transfer loads. */
function checkKey(key: string[] | undefined, columns: string[], targetLabel: string): void {
  const missing = (key ?? []).filter((k) => !columns.includes(k));
  if (missing.length > 0) {
    throw nonRetryable(
      `target.key column ${missing.map((c) => JSON.stringify(c)).join(', ')} is not among the columns loaded into ${targetLabel} (${columns.join(', ')}): name key columns exactly as the source returns them`,
      FailureType.invalidInput,
    );
  }
}

/**
 * (Re)creates the staging table: a failed earlier run's leftovers are replaced, not reused.
 * Where the target can be swapped, staging is its twin (twin.ts); otherwise it has the
 * target's columns, and those converted on publish hold the parts' text as it is.
 */
async function createStaging(
  client: Client,
  mode: LoadMode,
  target: QualifiedName,
  staging: QualifiedName,
  conversions: Record<string, LoadConversion>,
  added: AddedColumn[],
): Promise<PlannedPublish> {
  const reason = await whyNotSwap(client, mode, target, conversions, added);
  if (reason === undefined) return { path: 'swap', indexes: await createTwin(client, target, staging) };
  await client.query(`DROP TABLE IF EXISTS ${quoteQualified(staging)}`);
  await client.query(`CREATE TABLE ${quoteQualified(staging)} (LIKE ${quoteQualified(target)} INCLUDING DEFAULTS)`);
  const isAdded = new Set(added.map((a) => a.name));
  const alter = [
    ...added.map((a) => `ADD COLUMN ${quoteIdent(a.name)} ${conversions[a.name] ? stagedAs : a.type}`),
    ...Object.keys(conversions)
      .filter((c) => !isAdded.has(c))
      .map((c) => `ALTER COLUMN ${quoteIdent(c)} DROP DEFAULT, ALTER COLUMN ${quoteIdent(c)} TYPE ${stagedAs} USING NULL`),
  ];
  if (alter.length > 0) await client.query(`ALTER TABLE ${quoteQualified(staging)} ${alter.join(', ')}`);
  return { path: 'insert', ...(reason && { reason }) };
}

/**
 * undefined: publish by swapping a twin in. A `replace` swaps unless something stops it; an
 * `append` into a target that is empty now is a first load, which swaps too (finalize checks
 * it is still empty); an `upsert` and other appends insert, which is what they mean ('').
 */
async function whyNotSwap(
  client: Client,
  mode: LoadMode,
  target: QualifiedName,
  conversions: Record<string, LoadConversion>,
  added: AddedColumn[],
): Promise<string | undefined> {
  if (mode === 'upsert') return '';
  if (mode === 'append' && (await client.query(`SELECT 1 FROM ${quoteQualified(target)} LIMIT 1`)).rowCount) return '';
  const converted = Object.keys(conversions);
  if (converted.length > 0)
    return `column ${converted.map((c) => JSON.stringify(c)).join(', ')} is staged as text and converted while publishing (VARBYTE and SUPER)`;
  if (added.length > 0) return 'columns are added to the target while publishing (onSchemaChange: addColumns)';
  const blockers = await swapBlockers(client, target);
  return blockers.length > 0 ? blockers.join('; ') : undefined;
}
