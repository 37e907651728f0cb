import { log } from '@temporalio/activity';
import { postgresConnection } from '@ferry/config';
import type { ResetStagingInput } from '@ferry/contract';
import { truncateStaging } from '@ferry/postgres';
import { displayName, run } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';

/**
 * Empties the staging table when the parts loaded into it were superseded (a newer unload
 * attempt, or parts the manifest does not list). The ledger rows stay: a zombie loadPart of a
 * superseded part still collides with its own committed row and rolls back, so nothing it
 * copies can reach staging after this. TRUNCATE waits for any COPY still holding the table.
 */
export async function resetStaging(deps: ActivityDeps, input: ResetStagingInput): Promise<{ durationMs: number }> {
  const { connection: name, staging } = input.load;
  const started = Date.now();
  const connection = postgresConnection(deps.config, name);
  await whileHeartbeating((signal) => deps.sessions.use(connection, 'ferry reset staging', (client) => run(client, truncateStaging(staging)), signal));
  log.info('staging reset', { staging: displayName(staging), reason: input.reason });
  return { durationMs: Date.now() - started };
}
