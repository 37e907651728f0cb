import { log } from '@temporalio/activity';
import { postgresConnection } from '@ferry/config';
import { quoteQualified } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { importWithAwsS3 } from './import-aws-s3';
import { importWithCopy } from './import-copy';
import { whileHeartbeating } from './heartbeat';
import { withClient } from './pg/client';
import { ledgerTableFor } from './staging';
import type { LoadPartResult, PartToLoad, TransferPlan } from './types';

export interface LoadPartInput {
  plan: TransferPlan;
  part: PartToLoad;
  /** How often the workflow has reset this run's staging table before this load (0 or absent: never). */
  epoch?: number;
}

/** How one part gets into staging; runs inside the part's transaction. */
export interface PartImport {
  rows: number;
  /** The object's size as read. */
  bytes: number;
  etag: string;
  markedEtag?: string;
}

/**
 * The part's name in the ledger. A reset of staging keeps the ledger rows, so a zombie load
 * from before it still collides with its own row and rolls back; a part loaded again after a
 * reset (the manifest's slow path) is recorded under a name of its own epoch.
 */
export function ledgerPart(key: string, epoch = 0): string {
  return epoch === 0 ? key : `${key}#${epoch}`;
}

/**
 * Imports one part into the staging table. The import and the part's ledger row commit in
 * one transaction, so a part is in staging exactly once however often this activity is
 * retried: a later attempt finds the ledger row and does nothing.
 */
export async function loadPart(deps: ActivityDeps, { plan, part, epoch }: LoadPartInput): Promise<LoadPartResult> {
  const started = Date.now();
  const connection = postgresConnection(deps.config, plan.target.connection);
  const ledger = quoteQualified(ledgerTableFor(plan.target.staging.schema));
  const progress = { bytesRead: 0 };
  const recorded = ledgerPart(part.key, epoch);

  return whileHeartbeating(
    (signal) =>
      withClient(connection, 'ferry load', async (client) => {
        await client.query('BEGIN');
        try {
          const done = await client.query<{ rows: string; etag: string }>(`SELECT rows, etag FROM ${ledger} WHERE run_id = $1 AND part = $2`, [plan.runId, recorded]);
          if (done.rowCount) {
            await client.query('ROLLBACK');
            return { rows: Number(done.rows[0].rows), bytes: part.bytes, etag: done.rows[0].etag, alreadyLoaded: true, durationMs: Date.now() - started };
          }
          const imported =
            plan.target.loadMethod === 'aws_s3'
              ? await importWithAwsS3(client, deps, connection, plan, part)
              : await importWithCopy(client, deps, plan, part, signal, progress);
          await client.query(`INSERT INTO ${ledger} (run_id, part, target, etag, rows) VALUES ($1, $2, $3, $4, $5)`, [
            plan.runId,
            recorded,
            quoteQualified(plan.target.table),
            imported.etag,
            imported.rows,
          ]);
          await client.query('COMMIT');
          log.info('part loaded', { part: part.name, method: plan.target.loadMethod, rows: imported.rows, bytes: imported.bytes });
          return {
            rows: imported.rows,
            bytes: imported.bytes,
            etag: imported.etag,
            ...(imported.markedEtag !== undefined && { markedEtag: imported.markedEtag }),
            alreadyLoaded: false,
            durationMs: Date.now() - started,
          };
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }, signal),
    () => ({ part: part.name, bytesRead: progress.bytesRead }),
  );
}
