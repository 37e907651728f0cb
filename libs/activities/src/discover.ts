import { redshiftConnection } from '@ferry/config';
import { selectDiscovered } from '@ferry/pipeline';
import type { DiscoveredTables, DiscoverInput } from '@ferry/contract';
import type { ActivityDeps } from './deps';
import { FailureType, nonRetryable } from './failures';
import { listSourceRelations } from './source-catalog';

/** For each discovery entry of a pipeline, the source tables it expands to (sorted, so the expansion is stable). */
export async function discoverTables(deps: Pick<ActivityDeps, 'config' | 'sessions'>, input: DiscoverInput): Promise<DiscoveredTables> {
  const found: Record<string, string[]> = {};
  for (const entry of input.entries) {
    const relations = await deps.sessions.use(redshiftConnection(deps.config, entry.connection), 'ferry discover', async (client) => {
      // A misspelt schema would otherwise expand to no table, and the pipeline "succeed".
      const exists = await client.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [entry.schema]);
      if (exists.rowCount === 0) {
        throw nonRetryable(
          `source schema ${JSON.stringify(entry.schema)} of pipeline entry ${JSON.stringify(entry.name)} does not exist on connection ${JSON.stringify(entry.connection)}: check source.schema`,
          FailureType.missingSource,
        );
      }
      return listSourceRelations(client, entry.schema);
    });
    found[entry.name] = selectDiscovered(relations, entry.include, entry.exclude);
  }
  return found;
}
