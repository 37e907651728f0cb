import { log } from '@temporalio/activity';
import { postgresConnection } from '@ferry/config';
import { displayName, quoteQualified } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';
import { withClient } from './pg/client';
import type { TransferPlan } from './types';

export interface ResetStagingInput {
  plan: TransferPlan;
  /** Why: for the log (the attempt that superseded the loaded one, or the manifest's slow path). */
  reason: string;
}

/**
 * Empties the staging table when the parts loaded into it were superseded (a newer unload
 * attempt, or parts the manifest does not list). The ledger rows stay: a zombie loadPart of a
 * superseded part still collides with its own committed row and rolls back, so nothing it
 * copies can reach staging after this. TRUNCATE waits for any COPY still holding the table.
 */
export async function resetStaging(deps: ActivityDeps, { plan, reason }: ResetStagingInput): Promise<{ durationMs: number }> {
  const started = Date.now();
  const connection = postgresConnection(deps.config, plan.target.connection);
  await whileHeartbeating((signal) =>
    withClient(connection, 'ferry reset staging', (client) => client.query(`TRUNCATE ${quoteQualified(plan.target.staging)}`), signal),
  );
  log.info('staging reset', { staging: displayName(plan.target.staging), reason });
  return { durationMs: Date.now() - started };
}
