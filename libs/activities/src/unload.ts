import { GetObjectCommand } from '@aws-sdk/client-s3';
import { activityInfo, log } from '@temporalio/activity';
import { formatS3Url } from '@ferry/s3';
import { redshiftConnection } from '@ferry/config';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';
import { manifestKey, parseManifest } from './manifest';
import { withClient } from './pg/client';
import type { TransferPlan, UnloadResult } from './types';
import { buildUnloadStatement } from './unload-statement';
import { FailureType, nonRetryable } from './failures';
import { sourceChecksum } from './verify/gate';

/**
 * Runs UNLOAD on the source and reads back its manifest. Heartbeats while the statement
 * runs; a cancelled activity cancels the statement on the source.
 */
export async function unload(deps: ActivityDeps, plan: TransferPlan): Promise<UnloadResult> {
  const started = Date.now();
  const connection = redshiftConnection(deps.config, plan.source.connection);
  // Each attempt unloads into its own folder: an earlier attempt whose worker died may still
  // be writing (UNLOAD runs on inside the source), and must not overwrite this attempt's parts.
  const folder = `${plan.s3.prefix}attempt-${activityInfo().attempt}/`;
  const statement = buildUnloadStatement({
    select: plan.source.select,
    url: formatS3Url({ bucket: plan.s3.bucket, key: folder }),
    iamRole: connection.iamRole,
    ...plan.unload,
  });
  log.info('unload started', { source: plan.source.label, to: formatS3Url({ bucket: plan.s3.bucket, key: folder }) });

  const checksum = await whileHeartbeating(
    (signal) =>
      withClient(connection, 'ferry unload', async (client) => {
        client.on('notice', (msg) => log.info(`source: ${msg.message}`));
        // With the checksum gate, the checksum reads the same snapshot as the UNLOAD: Redshift runs
        // every transaction as serializable (AWS, "BEGIN"), PostgreSQL's REPEATABLE READ keeps one snapshot too.
        if (plan.verify) await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
        // Redshift's default (0) prints floats with 15 significant digits, which loses bits; 2 gives
        // DOUBLE PRECISION all 17 (REAL is unloaded as DOUBLE PRECISION, see the type map).
        await client.query('SET extra_float_digits TO 2');
        await client.query(statement).catch((err: Error) => {
          throw describeUnloadError(err, plan);
        });
        if (!plan.verify) return undefined;
        const segments = await sourceChecksum(client, plan).catch((err: Error) => {
          throw describeUnloadError(err, plan, 'the checksum query');
        });
        await client.query('COMMIT');
        return segments;
      }, signal),
    () => ({ phase: plan.verify ? 'unloading and checksumming' : 'unloading', elapsedMs: Date.now() - started }),
  );

  const res = await deps.s3.send(new GetObjectCommand({ Bucket: plan.s3.bucket, Key: manifestKey(folder) }));
  const manifest = parseManifest(await res.Body!.transformToString(), plan.s3.bucket, folder);
  log.info('unload finished', { parts: manifest.parts.length, rows: manifest.rows, bytes: manifest.bytes });
  return { ...manifest, ...(checksum && { checksum }), durationMs: Date.now() - started };
}

/** S3 permission and addressing errors repeat on every retry: fail at once and say where to look. */
function describeUnloadError(err: Error, plan: TransferPlan, statement = 'UNLOAD'): Error {
  if (/access denied|InvalidAccessKeyId|SignatureDoesNotMatch|NoSuchBucket|not authorized|bucket does not exist/i.test(err.message)) {
    return nonRetryable(
      `UNLOAD could not write under s3://${plan.s3.bucket}/${plan.s3.prefix}: ${err.message}. Check the source connection's iamRole and the bucket (docs/iam.md lists the permissions UNLOAD needs)`,
      FailureType.s3Access,
    );
  }
  // The source refused the statement itself (syntax, a missing function or column, a
  // permission, a value its query cannot compute): every retry would be refused the same way.
  const code = (err as { code?: string }).code;
  if (typeof code === 'string' && /^(42|22|0A)/.test(code)) {
    return nonRetryable(`${statement} of ${plan.source.label} failed on the source (SQLSTATE ${code}): ${err.message}. Check source.table or source.query, and the source connection's permissions`, FailureType.badQuery);
  }
  return err;
}
