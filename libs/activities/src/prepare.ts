import type { Client, DatabaseError } from 'pg';
import { displayName, quoteIdent, quoteQualified, quoteRedshiftLiteral, type QualifiedName } from '@ferry/sql';
import { activityInfo } from '@temporalio/activity';
import { redshiftConnection } from '@ferry/config';
import { checkColumnType, loadConversion, sourceTypeOf, stagedAs, unloadExpression, type LoadConversion, type SourceType, type TargetType, type TypeMismatch } from '@ferry/type-map';
import { loadTaskQueue } from './task-queues';
import type { ActivityDeps } from './deps';
import { FailureType, nonRetryable } from './failures';
import { withClient } from './pg/client';
import { ledgerTableFor } from './staging';
import { locateTarget, parseName } from './target-locations';
import { acquireTargetLease, createLeaseTableSql } from './run-lease';
import type { Compression, LoadMethod, LoadMode, PrepareInput, TransferPlan } from './types';

/**
 * Checks everything that can be checked before data moves — connections, the source
 * table or query, the target table and its columns — and creates the run's staging table.
 * Every problem found here is one a retry cannot fix, so it fails non-retryably.
 */
export async function prepare(deps: ActivityDeps, input: PrepareInput): Promise<TransferPlan> {
  const sourceConn = redshiftConnection(deps.config, input.source.connection);
  const where = locateTarget(deps, input.target, input.s3);
  const { table: target, staging } = where;
  const loadMethod = chooseLoadMethod(input, where.connection.loadMethod);

  const source = sourceRelation(input);
  const sourceColumns = await withClient(sourceConn, 'ferry prepare', (client) =>
    describeSource(client, source, input.source.connection),
  );

  const conversions = loadConversions(sourceColumns);
  const columns = sourceColumns.map((c) => c.name);
  const { incremental } = await withClient(where.connection, 'ferry prepare', async (client) => {
    const targetColumns = await describeTarget(client, target, input.target.connection, where.connection.database);
    matchColumns(sourceColumns, targetColumns, source.label, displayName(target));
    checkKey(input.target.key, columns, displayName(target));
    await createBookkeeping(client, staging.schema);
    await acquireTargetLease(client, staging.schema, target, { workflowId: input.workflowId, runId: input.runId });
    // Read after taking the lease: no other run of this target can move the mark meanwhile.
    const incremental = input.incremental && (await highWaterMark(client, target, input.incremental.column, columns));
    await createStaging(client, target, staging, conversions);
    return { incremental };
  });

  return {
    runId: input.runId,
    source: {
      connection: input.source.connection,
      label: source.label,
      select: buildSelect(sourceColumns, source.from, incremental, input.target.mode),
      incremental,
    },
    target: {
      connection: input.target.connection,
      table: target,
      staging,
      columns,
      ...(Object.keys(conversions).length > 0 && { conversions }),
      mode: input.target.mode,
      key: input.target.key,
      loadMethod,
      loadTaskQueue: loadTaskQueue(activityInfo().taskQueue, input.target.connection),
    },
    s3: { bucket: where.bucket, folder: where.folder, prefix: `${where.folder}${input.runId}/` },
    unload: input.unload,
  };
}

export interface SourceRelation {
  /** What follows FROM: a quoted table name or a parenthesised query. */
  from: string;
  label: string;
  table?: QualifiedName;
}

export function sourceRelation(input: Pick<PrepareInput, 'source'>): SourceRelation {
  if (input.source.table) {
    const table = parseName(input.source.table, 'source.table');
    return { from: quoteQualified(table), label: displayName(table), table };
  }
  const query = input.source.query!.trim().replace(/;\s*$/, '');
  return { from: `(${query}) AS ferry_source`, label: 'query' };
}

interface SourceColumn {
  name: string;
  type: SourceType;
}

/**
 * The source's columns and their Redshift types, from the result description of the very
 * SELECT that will be unloaded: the same answer for a table and for a query, in the type
 * OIDs and modifiers Redshift's own drivers read (see the type map).
 */
async function describeSource(client: Client, source: SourceRelation, connection: string): Promise<SourceColumn[]> {
  try {
    const res = await client.query(`SELECT * FROM ${source.from} LIMIT 0`);
    const names = res.fields.map((f) => f.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw nonRetryable(`source query returns the column ${JSON.stringify(dup)} twice: give each column its own name (AS alias)`, FailureType.badQuery);
    const unknown = res.fields.filter((f) => !sourceTypeOf(f.dataTypeID, f.dataTypeModifier));
    if (unknown.length > 0) {
      throw nonRetryable(
        `source ${source.label} returns ${unknown.map((f) => `column ${JSON.stringify(f.name)} of type oid ${f.dataTypeID}`).join(', ')}, which is not a Redshift type ferry knows how to move exactly: cast it in source.query to one of the types in docs/types.md`,
        FailureType.typeMismatch,
      );
    }
    return res.fields.map((f) => ({ name: f.name, type: sourceTypeOf(f.dataTypeID, f.dataTypeModifier)! }));
  } catch (err) {
    const code = (err as DatabaseError).code;
    if (source.table && (code === '42P01' || code === '3F000')) {
      throw nonRetryable(
        `source table ${source.label} does not exist on connection ${JSON.stringify(connection)}: check source.table (schema.table)`,
        FailureType.missingSource,
      );
    }
    if (!source.table && code && /^(42|22)/.test(code)) {
      throw nonRetryable(`source.query is not a valid query on connection ${JSON.stringify(connection)}: ${(err as Error).message}`, FailureType.badQuery);
    }
    throw err;
  }
}

interface TargetColumn {
  name: string;
  generated: boolean;
  type: TargetType;
}

/** The target's columns with their types, a domain described by its base type and modifier. */
async function describeTarget(client: Client, table: QualifiedName, connection: string, database: string): Promise<TargetColumn[]> {
  const res = await client.query<{ attname: string; attgenerated: string; base: string; typmod: number; display: string }>(
    `SELECT a.attname, a.attgenerated, b.typname AS base,
            CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
            format_type(a.atttypid, a.atttypmod) AS display
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [quoteQualified(table)],
  );
  if (res.rowCount === 0) {
    throw nonRetryable(
      `target table ${displayName(table)} does not exist in database ${JSON.stringify(database)} (connection ${JSON.stringify(connection)}): create it before the transfer`,
      FailureType.missingTarget,
    );
  }
  return res.rows.map((r) => ({ name: r.attname, generated: r.attgenerated !== '', type: { base: r.base, typmod: r.typmod, display: r.display } }));
}

/**
 * Each source column must be a writable column of the target whose type holds every value
 * of the source's type exactly (the type map's rules); all mismatches are named at once.
 */
function matchColumns(sourceColumns: SourceColumn[], target: TargetColumn[], sourceLabel: string, targetLabel: string): void {
  const byName = new Map(target.map((c) => [c.name, c]));
  const source = sourceColumns.map((c) => c.name);
  const missing = source.filter((c) => !byName.has(c));
  if (missing.length > 0) {
    throw nonRetryable(
      `target table ${targetLabel} has no column ${missing.map((c) => JSON.stringify(c)).join(', ')} that source ${sourceLabel} returns: add the column to the target or select fewer columns with source.query`,
      FailureType.columnMismatch,
    );
  }
  const generated = source.filter((c) => byName.get(c)!.generated);
  if (generated.length > 0) {
    throw nonRetryable(
      `target column ${generated.map((c) => JSON.stringify(c)).join(', ')} of ${targetLabel} is generated and cannot be loaded: leave it out with source.query`,
      FailureType.columnMismatch,
    );
  }
  const mismatches = sourceColumns.map((c) => checkColumnType(c.name, c.type, byName.get(c.name)!.type)).filter((m): m is TypeMismatch => m !== undefined);
  if (mismatches.length > 0) throw typeMismatchFailure(mismatches, sourceLabel, targetLabel);
}

function typeMismatchFailure(mismatches: TypeMismatch[], sourceLabel: string, targetLabel: string): Error {
  const each = mismatches.map((m) => `column ${JSON.stringify(m.column)} is ${m.source} in the source and ${m.target} in the target (${m.reason})`);
  const alter = mismatches.map((m) => `ALTER COLUMN ${quoteIdent(m.column)} TYPE ${m.mapped}`).join(', ');
  return nonRetryable(
    `target table ${targetLabel} cannot hold the values of source ${sourceLabel} unchanged: ${each.join('; ')}. Fix: change the target column${mismatches.length > 1 ? 's' : ''} (ALTER TABLE ${targetLabel} ${alter}), or convert the value${mismatches.length > 1 ? 's' : ''} in source.query`,
    FailureType.typeMismatch,
  );
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

/** The SELECT that UNLOAD runs, each column in the expression the type map unloads it with. */
function buildSelect(columns: SourceColumn[], from: string, incremental: { column: string; after: string | null } | undefined, mode: LoadMode): string {
  const select = `SELECT ${columns.map((c) => unloadExpression(quoteIdent(c.name), c.type)).join(', ')} FROM ${from}`;
  if (!incremental || incremental.after === null) return select;
  // The literal is untyped, so the source compares it as the column's own type.
  return `${select} WHERE ${incrementalCondition(incremental.column, mode, quoteRedshiftLiteral(incremental.after))}`;
}

/**
 * Incremental appends take rows strictly above the mark; upserts take the mark's own rows
 * again too, which they overwrite harmlessly, so rows that arrived with the same value after
 * the previous run are not missed. `mark` is SQL: a literal, or a description in `ferry plan`.
 */
export function incrementalCondition(column: string, mode: LoadMode, mark: string): string {
  return `${quoteIdent(column)} ${mode === 'upsert' ? '>=' : '>'} ${mark}`;
}

/** The staging schema with the ledger of loaded parts and the leases of running targets. */
async function createBookkeeping(client: Client, schema: string): Promise<void> {
  const ledger = ledgerTableFor(schema);
  // CREATE … IF NOT EXISTS races with itself (a unique violation in pg_type), and every table
  // of a pipeline prepares at once on a fresh database: one creator at a time.
  await client.query('BEGIN');
  await client.query(`SELECT pg_advisory_xact_lock(hashtext('ferry bookkeeping'))`);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  await client.query(createLeaseTableSql(schema));
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${quoteQualified(ledger)} (
       run_id text NOT NULL,
       part text NOT NULL,
       target text NOT NULL,
       etag text NOT NULL,
       rows bigint NOT NULL,
       loaded_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (run_id, part))`,
  );
  await client.query('COMMIT');
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
  const reader = method === 'aws_s3' ? "RDS's aws_s3.table_import_from_s3 imports only gzip or uncompressed files" : "ferry's copy loader reads only gzip or uncompressed parts";
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
 * Columns that are converted on publish hold the parts' text as it is.
 */
async function createStaging(client: Client, target: QualifiedName, staging: QualifiedName, conversions: Record<string, LoadConversion>): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${quoteQualified(staging)}`);
  await client.query(`CREATE TABLE ${quoteQualified(staging)} (LIKE ${quoteQualified(target)} INCLUDING DEFAULTS)`);
  const converted = Object.keys(conversions);
  if (converted.length > 0) {
    const alter = converted.map((c) => `ALTER COLUMN ${quoteIdent(c)} DROP DEFAULT, ALTER COLUMN ${quoteIdent(c)} TYPE ${stagedAs} USING NULL`);
    await client.query(`ALTER TABLE ${quoteQualified(staging)} ${alter.join(', ')}`);
  }
}
