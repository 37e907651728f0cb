import { describeFields, selectNoRows } from '../columns';
import { readDefinition } from '../definition';
import { listRelations, schemaExists } from '../relations';
import type { RedshiftSource } from '../source';
import { readTableRows, readTableSizes } from '../table-sizes';
import type { DataApiSession } from './session';
import { dataApiUnload, type DurableUnload } from './unload';

/**
 * The source over the Redshift Data API: the same catalog reads as over the wire, each an
 * ExecuteStatement in one Data API session, and the UNLOAD as one BatchExecuteStatement that
 * outlives the worker (`durable`: its token, and the statement to resume).
 *
 * What must read the UNLOAD's own snapshot — a sync's comparison, a checksum query after the
 * UNLOAD — needs one transaction across statements whose results ferry reads in between, which
 * the Data API does not offer (a batch's results are read after it ends): those are refused
 * here, and prepare refuses `mode: sync` over the Data API before anything runs.
 */
export function dataApiSource(session: DataApiSession, durable?: DurableUnload): RedshiftSource<DataApiSession> {
  return {
    readColumns: async (source) => describeFields((await session.query(selectNoRows(source).text)).fields),
    readDefinition: (source, columns) => readDefinition(session, source, columns),
    schemaExists: (schema) => schemaExists(session, schema),
    listRelations: (schema) => listRelations(session, schema),
    readTableSizes: (schema) => readTableSizes(session, schema),
    readTableRows: (table) => readTableRows(session, table),
    unload: async ({ statement, inSnapshot, describeError = (err) => err }) => {
      // feature_not_supported: a retry cannot change it.
      if (typeof statement === 'function' || inSnapshot) throw describeError(Object.assign(new Error(SNAPSHOT_REFUSED), { code: '0A000' }));
      await dataApiUnload(session.api, session.connection, statement, durable ?? { clientToken: crypto.randomUUID() }).catch((err: Error) => {
        throw describeError(err);
      });
      return undefined;
    },
  };
}

export const SNAPSHOT_REFUSED =
  'this step reads the source in the UNLOAD\'s own transaction, which the Redshift Data API cannot hold across statements: use transport "wire" for this connection';
