import { ExecuteStatementCommand, type RedshiftDataClient, type SqlParameter } from '@aws-sdk/client-redshift-data';
import type { DescribingSession, ResultField } from '../columns';
import { namedParameters } from './parameters';
import { cancelStatement, statementResult, waitForStatement } from './statements';
import { dataApiWhere, type DataApiConnection } from './where';

/**
 * How long an idle session stays open after each statement (AWS, "ExecuteStatement":
 * SessionKeepAliveSeconds; at most 24 hours in all). A cluster holds at most 500 sessions
 * (*assumed* from AWS's announcement), and only statements that leave state open one.
 */
const KEEP_ALIVE_SECONDS = 60;

/**
 * A session idle longer than this is not named again: it may have ended (the keep-alive runs
 * from the statement's end as the service sees it). `ferry verify` reads one side of a large
 * table for minutes while the other side's session waits.
 */
const REUSE_WITHIN_MS = 30_000;

/** Statements that leave state in the session for the next ones. */
const STATEFUL = /^\s*(SET|RESET|DECLARE|BEGIN|START\s+TRANSACTION|CREATE\s+(TEMP|TEMPORARY|LOCAL\s+TEMP)\b)/i;

/** Of those, the ones a new session can be given again by running them again. */
const REPLAYABLE = /^\s*(SET|RESET)\b/i;

/**
 * The source over the Data API, as a session: each query is an ExecuteStatement, polled until
 * it ends and its result read. Statements run without a Data API session until one SETs
 * something or creates a TEMP table; that one opens a session and later ones name it
 * (SessionId), so what it left holds for them, as on a wire session. Most reads (one SELECT
 * each) so open none: a schema of thousands of tables does not fill the cluster's sessions.
 * A session idle too long is replaced by a new one given the same SETs again; one holding a
 * TEMP table, a cursor or a transaction cannot be, and says so. Transactions spanning
 * statements are not relied on: the Data API does not document them; what must share a
 * transaction runs as one BatchExecuteStatement.
 */
export class DataApiSession implements DescribingSession {
  private session: { id: string; idleSince: number } | undefined;
  /** The SET and RESET statements run so far, in order: what a replacement session is given. */
  private readonly settings: string[] = [];
  /** What lives only in the first session (a TEMP table, a cursor, a transaction), if anything. */
  private unreplayable: string | undefined;

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
    await this.renewIfIdle();
    const { id, done } = await this.run(sql, parameters);
    if (STATEFUL.test(sql)) {
      if (REPLAYABLE.test(sql) && parameters.length === 0) this.settings.push(sql);
      else this.unreplayable ??= sql.trim().split(/\s+/, 3).join(' ');
    }
    if (!done.HasResultSet) return { rows: [], rowCount: done.ResultRows ?? null, fields: [] };
    const result = await statementResult<R>(this.api, id);
    return { ...result, rowCount: result.rows.length };
  }

  private async run(sql: string, parameters: SqlParameter[]) {
    const started = await this.api.send(
      new ExecuteStatementCommand({
        Sql: sql,
        ...(parameters.length > 0 && { Parameters: parameters }),
        ...(this.session
          ? { SessionId: this.session.id }
          : { ...dataApiWhere(this.connection), ...(STATEFUL.test(sql) && { SessionKeepAliveSeconds: KEEP_ALIVE_SECONDS }) }),
      }),
    );
    if (!this.session && started.SessionId) this.session = { id: started.SessionId, idleSince: Date.now() };
    const done = await waitForStatement(this.api, started.Id!, { signal: this.signal }).catch((err: unknown) => {
      // Aborted: the statement would run on in the warehouse (a checksum query may take minutes).
      if (this.signal?.aborted) void cancelStatement(this.api, started.Id!).catch(() => undefined);
      throw err;
    });
    if (this.session) this.session.idleSince = Date.now();
    return { id: started.Id!, done };
  }

  /** A session idle past REUSE_WITHIN_MS is dropped, and its settings run again into a new one. */
  private async renewIfIdle(): Promise<void> {
    if (!this.session || Date.now() - this.session.idleSince <= REUSE_WITHIN_MS) return;
    if (this.unreplayable) {
      throw new Error(
        `the Data API session that holds the state of "${this.unreplayable} …" was idle for more than ${REUSE_WITHIN_MS / 1000} s and may have ended; ` +
          'statements that share a temporary table, cursor or transaction must follow each other closely (or run as one BatchExecuteStatement)',
      );
    }
    this.session = undefined;
    for (const setting of this.settings) await this.run(setting, []);
  }
}
