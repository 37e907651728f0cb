import { postgresConnection, redshiftConnection, type FerryConfig } from '@ferry/config';
import { displayName } from '@ferry/sql';
import { createTablePlan, type CreateTablePlan } from '@ferry/type-map';
import type { DiscoverInput } from '@ferry/contract';
import { tableEstimates, type TableEstimate } from '@ferry/redshift';
import { discoverTables } from './discover';
import { SessionPools } from './pg/session-pools';
import { describeSource, sourceRelation } from './source-columns';
import { useSource } from './source-session';
import { describeTarget } from '@ferry/postgres';
import { parseName } from './target-locations';
import type { PrepareInput } from '@ferry/contract';

/**
 * What the CLI shows from the catalogs (`ferry plan`, `ddl`, `init`), computed by the same
 * code a run uses; it reads and changes nothing. Each preview opens its own sessions and
 * closes them when done.
 */
async function withSessions<T>(fn: (sessions: SessionPools) => Promise<T>): Promise<T> {
  const sessions = new SessionPools();
  try {
    return await fn(sessions);
  } finally {
    await sessions.end();
  }
}

export function previewDiscovery(config: FerryConfig, input: DiscoverInput): Promise<Record<string, string[]>> {
  return withSessions((sessions) => discoverTables({ config, sessions }, input));
}

export interface TargetDdl {
  target: string;
  exists: boolean;
  plan: CreateTablePlan;
}

/** The CREATE TABLE a run with `create: ifMissing` would execute for this transfer, and whether the target exists already. */
export async function previewTargetDdl(config: FerryConfig, input: Pick<PrepareInput, 'source' | 'target'>): Promise<TargetDdl> {
  const source = sourceRelation(input);
  const table = parseName(input.target.table, 'target.table');
  return withSessions(async (sessions) => {
    const definition = await useSource(sessions, redshiftConnection(config, input.source.connection), 'ferry ddl', async (reader) =>
      reader.readDefinition(source, await describeSource(reader, source, input.source.connection)),
    );
    const exists = await sessions.use(
      postgresConnection(config, input.target.connection),
      'ferry ddl',
      async (client) => (await describeTarget(client, table)) !== undefined,
    );
    return { target: displayName(table), exists, plan: createTablePlan(table, definition, { indexes: input.target.indexes ?? 'none' }) };
  });
}

/** Rows and size of each named table of a schema, largest first. */
export async function sourceTableEstimates(config: FerryConfig, connection: string, schema: string, tables: string[]): Promise<TableEstimate[]> {
  const sizes = await withSessions((sessions) =>
    useSource(sessions, redshiftConnection(config, connection), 'ferry init', (reader) => reader.readTableSizes(schema)),
  );
  return tableEstimates(sizes, tables);
}
