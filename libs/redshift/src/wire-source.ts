import { inTransaction, run, runAll } from '@ferry/sql';
import { readColumns, type DescribingSession } from './columns';
import { readDefinition } from './definition';
import { listRelations, schemaExists } from './relations';
import type { RedshiftSource, UnloadRun } from './source';
import { readTableRows, readTableSizes } from './table-sizes';
import { unloadSessionSettings } from './unload-statement';

/** The source over one wire-protocol session (node-postgres' Client or PoolClient). */
export function wireSource<S extends DescribingSession>(session: S): RedshiftSource<S> {
  return {
    readColumns: (source) => readColumns(session, source),
    readDefinition: (source, columns) => readDefinition(session, source, columns),
    schemaExists: (schema) => schemaExists(session, schema),
    listRelations: (schema) => listRelations(session, schema),
    readTableSizes: (schema) => readTableSizes(session, schema),
    readTableRows: (table) => readTableRows(session, table),
    unload: (u) => unloadOn(session, u),
  };
}

async function unloadOn<S extends DescribingSession, T>(
  session: S,
  { statement, inSnapshot, describeError = (err) => err }: UnloadRun<S, T>,
): Promise<T | undefined> {
  const unloadThenRead = async () => {
    await runAll(session, unloadSessionSettings);
    const unload = typeof statement === 'function' ? await statement(session) : statement;
    await run(session, unload).catch((err: Error) => {
      throw describeError(err);
    });
    return inSnapshot?.(session);
  };
  // One snapshot for the UNLOAD and what reads before or after it: Redshift runs every
  // transaction as serializable (AWS, "BEGIN"; its snapshot is the one the transaction's first
  // statement sees), PostgreSQL's REPEATABLE READ keeps one snapshot too.
  const oneSnapshot = inSnapshot !== undefined || typeof statement === 'function';
  return oneSnapshot ? inTransaction(session, unloadThenRead, { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ' }) : unloadThenRead();
}
