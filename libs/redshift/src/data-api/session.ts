import { ExecuteStatementCommand, type RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { DescribingSession, ResultField } from '../columns';
import { namedParameters } from './parameters';
import { statementResult, waitForStatement } from './statements';
import { dataApiWhere, type DataApiConnection } from './where';

/**
 * How long an idle session stays open between statements. The Data API keeps a session alive
 * this long after each statement and at most 24 hours in all (AWS, "ExecuteStatement":
 * SessionKeepAliveSeconds), and a cluster holds at most 500 (*assumed* from AWS's announcement):
 * ferry's reads follow each other within milliseconds, and it has no call to end one sooner.
 */
const KEEP_ALIVE_SECONDS = 10;

/** Statements that leave state in the session for the next ones. */
const STATEFUL = /^\s*(SET|RESET|DECLARE|BEGIN|START\s+TRANSACTION|CREATE\s+(TEMP|TEMPORARY|LOCAL\s+TEMP)\b)/i;

/**
 * The source over the Data API, as a session: each query is an ExecuteStatement, polled until
 * it ends and its result read. Statements run without a Data API session until one SETs
 * something or creates a TEMP table; that one opens a session and later ones name it
 * (SessionId), so what it left holds for them, as on a wire session. Most reads (one SELECT
 * each) so open none: a schema of thousands of tables does not fill the cluster's sessions.
 * Transactions spanning statements are not relied on: the Data API does not document them;
 * what must share a transaction runs as one BatchExecuteStatement.
 */
export class DataApiSession implements DescribingSession {
  private sessionId: string | undefined;

  constructor(
    readonly api: RedshiftDataClient,
    readonly connection: DataApiConnection,
    private readonly signal?: AbortSignal,
  ) {}

  async query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null; fields: ResultField[] }> {
    const { sql, parameters } = namedParameters(text, values);
    const started = await this.api.send(
      new ExecuteStatementCommand({
        Sql: sql,
        ...(parameters.length > 0 && { Parameters: parameters }),
        ...(this.sessionId
          ? { SessionId: this.sessionId }
          : { ...dataApiWhere(this.connection), ...(STATEFUL.test(sql) && { SessionKeepAliveSeconds: KEEP_ALIVE_SECONDS }) }),
      }),
    );
    this.sessionId ??= started.SessionId;
    const done = await waitForStatement(this.api, started.Id!, { signal: this.signal });
    if (!done.HasResultSet) return { rows: [], rowCount: done.ResultRows ?? null, fields: [] };
    const result = await statementResult<R>(this.api, started.Id!);
    return { ...result, rowCount: result.rows.length };
  }
}
