import { createGunzip } from 'node:zlib';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { log } from '@temporalio/activity';
import { getObjectStream } from '@ferry/s3';
import { postgresConnection } from '@ferry/config';
import { quoteIdent, quoteLiteral, quoteQualified } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { copyFormat } from './copy-format';
import { whileHeartbeating } from './heartbeat';
import { withClient } from './pg/client';
import { ledgerTableFor } from './staging';
import type { LoadPartResult, Part, TransferPlan } from './types';
import { FailureType, nonRetryable } from './failures';

export interface LoadPartInput {
  plan: TransferPlan;
  part: Part;
}

/**
 * Streams one part from S3 through gunzip into `COPY staging FROM STDIN`. The COPY and the
 * part's ledger row commit in one transaction, so a part is in staging exactly once however
 * often this activity is retried: a later attempt finds the ledger row and does nothing.
 */
export async function loadPart(deps: ActivityDeps, { plan, part }: LoadPartInput): Promise<LoadPartResult> {
  const started = Date.now();
  const connection = postgresConnection(deps.config, plan.target.connection);
  const ledger = quoteQualified(ledgerTableFor(plan.target.staging.schema));
  let bytesRead = 0;

  return whileHeartbeating(
    (signal) =>
      withClient(connection, 'ferry load', async (client) => {
        await client.query('BEGIN');
        try {
          const done = await client.query<{ rows: string }>(`SELECT rows FROM ${ledger} WHERE run_id = $1 AND part = $2`, [plan.runId, part.key]);
          if (done.rowCount) {
            await client.query('ROLLBACK');
            return { rows: Number(done.rows[0].rows), bytes: part.bytes, alreadyLoaded: true, durationMs: Date.now() - started };
          }
          const object = await getObjectStream(deps.s3, { bucket: plan.s3.bucket, key: part.key }, signal);
          const copy = client.query(copyFrom(copyStatement(plan)));
          const count = new Transform({
            transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
              bytesRead += chunk.length;
              cb(null, chunk);
            },
          });
          const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [object.body, count];
          if (plan.unload.compression === 'gzip') stages.push(createGunzip());
          stages.push(copy);
          try {
            await pipeline(stages, { signal });
          } catch (err) {
            throw describeCopyError(err as Error, part);
          }
          const rows = copy.rowCount;
          await client.query(`INSERT INTO ${ledger} (run_id, part, target, etag, rows) VALUES ($1, $2, $3, $4, $5)`, [plan.runId, part.key, quoteQualified(plan.target.table), object.etag, rows]);
          await client.query('COMMIT');
          log.info('part loaded', { part: part.name, rows, bytes: bytesRead });
          return { rows, bytes: bytesRead, alreadyLoaded: false, durationMs: Date.now() - started };
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      }, signal),
    () => ({ part: part.name, bytesRead }),
  );
}

export function copyStatement(plan: TransferPlan): string {
  const columns = plan.target.columns.map(quoteIdent).join(', ');
  return `COPY ${quoteQualified(plan.target.staging)} (${columns}) FROM STDIN WITH (FORMAT text, DELIMITER ${quoteLiteral(copyFormat.delimiter)}, NULL ${quoteLiteral(copyFormat.nullString)})`;
}

/** Data errors (SQLSTATE class 22, 23) will fail again on retry: say which part and line. */
function describeCopyError(err: Error & { code?: string; where?: string }, part: Part): Error {
  if (err.code && /^(22|23)/.test(err.code)) {
    return nonRetryable(`part ${part.name} cannot be loaded: ${err.message}${err.where ? ` (${err.where})` : ''}`, FailureType.badData);
  }
  return err;
}
