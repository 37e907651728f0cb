import { log } from '@temporalio/activity';
import { postgresConnection } from '@ferry/config';
import type { PartsProof, ProvePartsInput } from '@ferry/contract';
import { proveParts as proveRegisteredParts } from '@ferry/postgres';
import { displayName } from '@ferry/sql';
import type { ActivityDeps } from './deps';
import { whileHeartbeating } from './heartbeat';

/**
 * The manifest proof of a run whose parts are in the target's registry: one query joins the
 * attempt's registered parts to the ledger (@ferry/postgres parts-registry.ts), however many
 * parts there are. The workflow decides what a failed proof means.
 */
export async function proveParts(deps: ActivityDeps, input: ProvePartsInput): Promise<PartsProof> {
  const { load, attempt, epoch } = input;
  const connection = postgresConnection(deps.config, load.connection);
  const proof = await whileHeartbeating((signal) =>
    deps.sessions.use(connection, 'ferry prove parts', (client) => proveRegisteredParts(client, load.staging.schema, load.runId, attempt, epoch), signal),
  );
  log.info('parts proven against the manifest', { target: displayName(load.table), attempt, epoch, parts: proof.parts, problems: proof.problemCount });
  return proof;
}
