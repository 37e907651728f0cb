import { postgresConnection, redshiftConnection, type FerryConfig } from '@ferry/config';
import { displayName } from '@ferry/sql';
import { createTablePlan, type CreateTablePlan } from '@ferry/type-map';
import type { DiscoverInput } from '@ferry/contract';
import { discoverTables } from './discover';
import { SessionPools } from './pg/session-pools';
import { readSourceDefinition } from './source-catalog';
import { describeSource, sourceRelation } from './source-columns';
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
    const definition = await sessions.use(redshiftConnection(config, input.source.connection), 'ferry ddl', async (client) =>
      readSourceDefinition(client, source, await describeSource(client, source, input.source.connection)),
    );
    const exists = await sessions.use(
      postgresConnection(config, input.target.connection),
      'ferry ddl',
      async (client) => (await describeTarget(client, table)) !== undefined,
    );
    return { target: displayName(table), exists, plan: createTablePlan(table, definition, { indexes: input.target.indexes ?? 'none' }) };
  });
}

export interface TableEstimate {
  table: string;
  rows: number;
  sizeMb: number;
}

/**
 * Rows and size of each table of a schema, from SVV_TABLE_INFO (AWS: estimated rows and
 * size in 1 MB blocks; empty tables are not listed there, so they count as 0).
 */
export async function sourceTableEstimates(config: FerryConfig, connection: string, schema: string, tables: string[]): Promise<TableEstimate[]> {
  const res = await withSessions((sessions) =>
    sessions.use(redshiftConnection(config, connection), 'ferry init', (client) =>
      client.query<{ table: string; tbl_rows: string; size: string }>(`SELECT "table", tbl_rows, size FROM svv_table_info WHERE "schema" = $1`, [schema]),
    ),
  );
  const byName = new Map(res.rows.map((r) => [r.table, r]));
  return tables
    .map((table) => ({ table, rows: Number(byName.get(table)?.tbl_rows ?? 0), sizeMb: Number(byName.get(table)?.size ?? 0) }))
    .sort((a, b) => b.sizeMb - a.sizeMb || b.rows - a.rows || a.table.localeCompare(b.table));
}
