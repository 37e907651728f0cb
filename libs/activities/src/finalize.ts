import type { Client } from 'pg';
import { log } from '@temporalio/activity';
import { displayName, inTransaction, quoteIdent, quoteQualified, run } from '@ferry/sql';
import { postgresConnection, redshiftConnection } from '@ferry/config';
import { publishExpression } from '@ferry/type-map';
import type { ActivityDeps } from './deps';
import { FailureType, nonRetryable } from './failures';
import { whileHeartbeating } from './heartbeat';
import { cleanup } from './cleanup';
import { duplicateKeyFailure, publishValueFailure, rowCountsDisagree } from './failure-messages/publish';
import { ensureBookkeeping, readPublished, upsertLoadedColumns, upsertPublished } from '@ferry/postgres';
import { swapIn } from './swap';
import type { TwinIndex } from '@ferry/contract';
import { buildTwinIndexes, swapBlockers, twinMatchesTarget } from './twin';
import { checksumGate } from './verify/gate';
import type { FinalizeInput, FinalizeResult, PlannedPublish, PublishPath, TransferPlan } from '@ferry/contract';

/**
 * Verifies the staged rows and publishes them into the target in one transaction: readers
 * see the old rows or the new rows, never a mix, and a failed check changes nothing. The
 * checks, and the twin's index builds, run before that transaction, so the target is locked
 * only while it is published. The locks each path takes are listed in ARCHITECTURE.md,
 * "Load modes and locks".
 */
export async function finalize(deps: ActivityDeps, input: FinalizeInput): Promise<FinalizeResult> {
  const published = await verifyAndPublish(deps, input);
  // After the commit, so a failed cleanup only retries the cleanup: the retry finds the run published.
  if (input.cleanup) await whileHeartbeating(() => cleanup(deps, input.plan));
  return published;
}

async function verifyAndPublish(deps: ActivityDeps, { plan, manifestRows, importedRows, sourceChecksum }: FinalizeInput): Promise<FinalizeResult> {
  const started = Date.now();
  const connection = postgresConnection(deps.config, plan.target.connection);
  const openSource = <T>(fn: (c: Client) => Promise<T>) => deps.sessions.use(redshiftConnection(deps.config, plan.source.connection), 'ferry verify', fn);
  const schema = plan.target.staging.schema;

  return whileHeartbeating((signal) =>
    deps.sessions.use(
      connection,
      'ferry finalize',
      async (client) => {
        await ensureBookkeeping(client, schema);
        const earlier = await readPublished(client, schema, plan.target.table, plan.runId);
        if (earlier) return { ...earlier, lockedMs: 0, durationMs: Date.now() - started };

        const staged = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteQualified(plan.target.staging)}`)).rows[0].n);
        if (manifestRows !== importedRows || importedRows !== staged) {
          throw rowCountsDisagree(plan, { manifest: manifestRows, imported: importedRows, staged });
        }
        if (plan.verify) {
          if (!sourceChecksum) throw nonRetryable('the plan asks for the checksum gate but the unload returned no checksum', FailureType.verification);
          await checksumGate(client, plan, sourceChecksum, openSource);
        }
        const planned = plan.target.publish ?? { path: 'insert' };
        const twin = planned.path === 'swap' && (await stillEmptyForAppend(client, plan)) ? planned.indexes : undefined;
        if (twin) await buildTwinIndexes(client, plan.target.staging, twin).catch((err: unknown) => Promise.reject(describePublishError(err, plan)));

        const lockStarted = Date.now();
        const path = await inTransaction(client, async () => {
          for (const added of plan.target.addColumns ?? []) {
            await client.query(`ALTER TABLE ${quoteQualified(plan.target.table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(added.name)} ${added.type}`);
          }
          const published = await publishBy(client, plan, twin, planned);
          await moveIdentitiesPastLoadedValues(client, plan);
          await run(client, upsertLoadedColumns(schema, plan.target.table, plan.target.columns));
          await run(client, upsertPublished(schema, plan.target.table, plan.runId, { rows: staged, publish: published }));
          return published;
        });
        const lockedMs = Date.now() - lockStarted;
        log.info('published', {
          target: displayName(plan.target.table),
          mode: plan.target.mode,
          rows: staged,
          path: path.path,
          ...(path.reason && { reason: path.reason }),
          lockedMs,
        });
        return { rows: staged, publish: path, lockedMs, durationMs: Date.now() - started };
      },
      signal,
    ),
  );
}

/**
 * Swaps the twin in when that is still safe under the target's lock — nothing came to depend
 * on the target, its shape did not change since prepare, and an append's target is still
 * empty — and publishes by the mode's statements otherwise (the twin has the target's
 * columns, so it is a valid source for those too).
 */
async function publishBy(client: Client, plan: TransferPlan, twin: TwinIndex[] | undefined, planned: PlannedPublish): Promise<PublishPath> {
  if (twin) {
    await client.query(`LOCK TABLE ${quoteQualified(plan.target.table)} IN ACCESS EXCLUSIVE MODE`);
    const reason = await whyNotSwapNow(client, plan, twin);
    if (!reason) {
      await swapIn(client, plan.target.table, plan.target.staging, twin);
      return { path: 'swap' };
    }
    await publishByStatements(client, plan);
    return { path: 'insert', reason };
  }
  await publishByStatements(client, plan);
  if (planned.path === 'swap') return { path: 'insert', reason: 'the target is no longer empty' };
  return { path: 'insert', ...(planned.reason && { reason: planned.reason }) };
}

async function whyNotSwapNow(client: Client, plan: TransferPlan, twin: TwinIndex[]): Promise<string | undefined> {
  const target = plan.target.table;
  if (!(await stillEmptyForAppend(client, plan))) return 'the target is no longer empty';
  const blockers = await swapBlockers(client, target);
  if (blockers.length > 0) return `${blockers.join('; ')} (found under finalize's lock)`;
  if (!(await twinMatchesTarget(client, target, plan.target.staging, twin))) return "the target's columns, constraints or indexes changed during the run";
  return undefined;
}

/** A swap stands in for an append only while the target has no rows (a first load). */
async function stillEmptyForAppend(client: Client, plan: TransferPlan): Promise<boolean> {
  if (plan.target.mode !== 'append') return true;
  return !(await client.query(`SELECT 1 FROM ${quoteQualified(plan.target.table)} LIMIT 1`)).rowCount;
}

async function publishByStatements(client: Client, plan: TransferPlan): Promise<void> {
  await publish[plan.target.mode](client, plan).catch((err: unknown) => {
    throw describePublishError(err, plan);
  });
}

/**
 * A value the target refuses (a data exception such as a SUPER string jsonb cannot store, or
 * an integrity violation) fails the same way on every retry: say so at once.
 */
function describePublishError(err: unknown, plan: TransferPlan): unknown {
  const code = (err as { code?: string }).code;
  if (typeof code !== 'string' || !/^2[23]/.test(code)) return err;
  if (code === '23505') return duplicateKeyFailure(plan, err as Error & { detail?: string; constraint?: string });
  return publishValueFailure(plan, err as Error);
}

/**
 * Rows loaded into an identity column bring their own values; the column's sequence must
 * move past the largest of them, or the target's next insert would collide.
 */
async function moveIdentitiesPastLoadedValues(client: Client, plan: TransferPlan): Promise<void> {
  const target = quoteQualified(plan.target.table);
  const res = await client.query<{ attname: string; seq: string; ascending: boolean }>(
    `SELECT a.attname, pg_get_serial_sequence($1, a.attname) AS seq, s.seqincrement > 0 AS ascending
       FROM pg_attribute a
       JOIN pg_sequence s ON s.seqrelid = pg_get_serial_sequence($1, a.attname)::regclass
      WHERE a.attrelid = to_regclass($1) AND a.attidentity <> '' AND NOT a.attisdropped AND a.attname = ANY($2)`,
    [target, plan.target.columns],
  );
  for (const { attname, seq, ascending } of res.rows) {
    // A descending identity must move below the smallest value instead.
    const [agg, beyond] = ascending ? ['max', '>='] : ['min', '<='];
    await client.query(
      `SELECT setval($1, m) FROM (SELECT ${agg}(${quoteIdent(attname)}) AS m FROM ${target}) AS loaded
        WHERE m IS NOT NULL AND m ${beyond} coalesce(pg_sequence_last_value($1::regclass), m)`,
      [seq],
    );
  }
}

function names(plan: TransferPlan) {
  return {
    target: quoteQualified(plan.target.table),
    staging: quoteQualified(plan.target.staging),
    columns: plan.target.columns.map(quoteIdent).join(', '),
    /** A staged column's published value: the column, or its conversion from the parts' text. */
    value: (column: string) => publishExpression(`s.${quoteIdent(column)}`, plan.target.conversions?.[column]),
  };
}

async function append(client: Client, plan: TransferPlan): Promise<void> {
  const { target, staging, columns, value } = names(plan);
  await client.query(`INSERT INTO ${target} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${plan.target.columns.map(value).join(', ')} FROM ${staging} AS s`);
}

/**
 * TRUNCATE is fast and keeps views, grants, indexes, constraints and triggers, but is not
 * allowed on a table that other tables reference by foreign key; DELETE is, and still
 * checks those references row by row.
 */
async function replace(client: Client, plan: TransferPlan): Promise<void> {
  const { target } = names(plan);
  const referenced = await client.query(`SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = to_regclass($1) AND conrelid <> confrelid LIMIT 1`, [
    target,
  ]);
  await client.query(referenced.rowCount ? `DELETE FROM ${target}` : `TRUNCATE ${target}`);
  await append(client, plan);
}

/**
 * Updates rows whose key matches and inserts the others. UPDATE + INSERT … WHERE NOT EXISTS
 * works on every PostgreSQL version and needs no unique index on the target; the SHARE ROW
 * EXCLUSIVE lock keeps concurrent writers from inserting a key between the two statements
 * while readers go on reading.
 */
async function upsert(client: Client, plan: TransferPlan): Promise<void> {
  const { target, staging, columns, value } = names(plan);
  const key = plan.target.key!;
  const keyList = key.map(quoteIdent).join(', ');
  const dup = await client.query(
    `SELECT ${keyList}, count(*) AS n FROM ${staging} GROUP BY ${keyList} HAVING count(*) > 1 OR ${key.map((k) => `${quoteIdent(k)} IS NULL`).join(' OR ')} LIMIT 1`,
  );
  if (dup.rowCount) {
    const row = dup.rows[0] as Record<string, unknown>;
    const value = key.map((k) => `${k}=${row[k] === null ? 'NULL' : JSON.stringify(String(row[k]))}`).join(', ');
    throw nonRetryable(
      `cannot upsert into ${displayName(plan.target.table)}: the source has ${row.n === '1' ? 'a NULL in' : `${row.n} rows with`} key (${value}); target.key must name columns that are unique and not NULL in the source. The target was not changed`,
      FailureType.badKey,
    );
  }
  const match = key.map((k) => `t.${quoteIdent(k)} = ${value(k)}`).join(' AND ');
  const others = plan.target.columns.filter((c) => !key.includes(c));
  await client.query(`LOCK TABLE ${target} IN SHARE ROW EXCLUSIVE MODE`);
  if (others.length > 0) {
    const set = others.map((c) => `${quoteIdent(c)} = ${value(c)}`).join(', ');
    await client.query(`UPDATE ${target} AS t SET ${set} FROM ${staging} AS s WHERE ${match}`);
  }
  await client.query(
    `INSERT INTO ${target} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${plan.target.columns.map(value).join(', ')} FROM ${staging} AS s WHERE NOT EXISTS (SELECT 1 FROM ${target} AS t WHERE ${match})`,
  );
}

const publish: Record<TransferPlan['target']['mode'], (client: Client, plan: TransferPlan) => Promise<void>> = { replace, append, upsert };
