import type { Client } from 'pg';
import { log } from '@temporalio/activity';
import { displayName, quoteIdent, quoteQualified } from '@ferry/sql';
import { postgresConnection } from '@ferry/config';
import type { ActivityDeps } from './deps';
import { FailureType, nonRetryable } from './failures';
import { whileHeartbeating } from './heartbeat';
import { withClient } from './pg/client';
import type { FinalizeInput, FinalizeResult } from './types';

/**
 * Verifies the staged rows and publishes them into the target in one transaction: readers
 * see the old rows or the new rows, never a mix, and a failed verification changes nothing.
 */
export async function finalize(deps: ActivityDeps, { plan, manifestRows, importedRows }: FinalizeInput): Promise<FinalizeResult> {
  const started = Date.now();
  const connection = postgresConnection(deps.config, plan.target.connection);
  const target = quoteQualified(plan.target.table);
  const staging = quoteQualified(plan.target.staging);
  const columns = plan.target.columns.map(quoteIdent).join(', ');

  return whileHeartbeating(
    (signal) =>
      withClient(connection, 'ferry finalize', async (client) => {
        await client.query('BEGIN');
        try {
          const staged = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${staging}`)).rows[0].n);
          if (manifestRows !== importedRows || importedRows !== staged) {
            throw nonRetryable(
              `row counts disagree for ${displayName(plan.target.table)}: manifest ${manifestRows}, imported ${importedRows}, staged ${staged}; the target was not changed and staging table ${displayName(plan.target.staging)} is kept for inspection`,
              FailureType.verification,
            );
          }
          if (plan.target.mode === 'replace') await emptyTarget(client, plan.target.table.schema, plan.target.table.name, target);
          await client.query(`INSERT INTO ${target} (${columns}) OVERRIDING SYSTEM VALUE SELECT ${columns} FROM ${staging}`);
          await client.query('COMMIT');
          log.info('published', { target: displayName(plan.target.table), mode: plan.target.mode, rows: staged });
          return { rows: staged, durationMs: Date.now() - started };
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }, signal),
  );
}

/**
 * TRUNCATE is fast and keeps views, grants, indexes, constraints and triggers, but is not
 * allowed on a table that other tables reference by foreign key; DELETE is, and still
 * checks those references row by row.
 */
async function emptyTarget(client: Client, schema: string, name: string, quoted: string): Promise<void> {
  const referenced = await client.query(
    `SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = to_regclass($1) AND conrelid <> confrelid LIMIT 1`,
    [`${quoteIdent(schema)}.${quoteIdent(name)}`],
  );
  await client.query(referenced.rowCount ? `DELETE FROM ${quoted}` : `TRUNCATE ${quoted}`);
}
