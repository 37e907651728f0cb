import { redshiftConnection } from '@ferry/config';
import { selectDiscovered } from '@ferry/pipeline';
import type { DiscoveredTables, DiscoverInput } from '@ferry/contract';
import type { ActivityDeps } from './deps';
import { missingSchemaFailure } from './failure-messages/source';
import { useSource } from './source-session';

/** For each discovery entry of a pipeline, the source tables it expands to (sorted, so the expansion is stable). */
export async function discoverTables(deps: Pick<ActivityDeps, 'config' | 'sessions'>, input: DiscoverInput): Promise<DiscoveredTables> {
  const found: Record<string, string[]> = {};
  for (const entry of input.entries) {
    const relations = await useSource(deps.sessions, redshiftConnection(deps.config, entry.connection), 'ferry discover', async (source) => {
      // A misspelt schema would otherwise expand to no table, and the pipeline "succeed".
      if (!(await source.schemaExists(entry.schema))) throw missingSchemaFailure(entry);
      return source.listRelations(entry.schema);
    });
    found[entry.name] = selectDiscovered(relations, entry.include, entry.exclude);
  }
  return found;
}
