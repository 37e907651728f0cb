import { ExecuteStatementCommand, type RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { DescribingSession, ResultField } from '../columns';
import { namedParameters } from './parameters';
import { statementResult, waitForStatement } from './statements';
import { dataApiWhere, type DataApiConnection } from './where';

/**
 * How long an idle session stays open between statements. The Data API keeps a session alive
 * this long after each statement and at most 24 hours in all (AWS, "ExecuteStatement":
 * SessionKeepAliveSeconds); ferry's reads follow each other within milliseconds.
 */
const KEEP_ALIVE_SECONDS = 60;

/**
 * The source over the Data API, as a session: each query is an ExecuteStatement, polled until
 * it ends and its result read. The first statement opens a Data API session and later ones
 * name it (SessionId), so what one statement SETs or creates as TEMP holds for the next, as on
 * a wire session. Transactions spanning statements are not relied on: the Data API does not
 * document them; what must share a transaction runs as one BatchExecuteStatement.
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
        ...(this.sessionId ? { SessionId: this.sessionId } : { ...dataApiWhere(this.connection), SessionKeepAliveSeconds: KEEP_ALIVE_SECONDS }),
      }),
    );
    this.sessionId ??= started.SessionId;
    const done = await waitForStatement(this.api, started.Id!, { signal: this.signal });
    if (!done.HasResultSet) return { rows: [], rowCount: done.ResultRows ?? null, fields: [] };
    const result = await statementResult<R>(this.api, started.Id!);
    return { ...result, rowCount: result.rows.length };
  }
}
