import { BatchExecuteStatementCommand, type DescribeStatementResponse, type RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { Statement } from '@ferry/sql';
import { redshiftSessionSettings } from '../session-settings';
import { unloadSessionSettings } from '../unload-statement';
import { cancelStatement, RUNNING_STATUSES, waitForStatement } from './statements';
import { dataApiWhere, type DataApiConnection } from './where';

/** What makes an UNLOAD over the Data API durable: the caller records the statement's Id and hands it back after a crash. */
export interface DurableUnload {
  /**
   * Idempotency (AWS, "BatchExecuteStatement": ClientToken): the same token returns the
   * statement it started, so a request retried after a lost reply starts no second UNLOAD.
   */
  clientToken: string;
  /** Its StatementName (unloadStatementName): what a run's cleanup finds it by. */
  statementName?: string;
  /** An UNLOAD an earlier attempt started and that may still run: waited for, not started again. */
  resume?: string;
  /** Called once the statement has an Id, before waiting: the caller records it (a heartbeat). */
  onStarted?: (id: string) => void;
  onPoll?: (d: DescribeStatementResponse) => void;
  /**
   * Aborting stops the wait. Whether it also cancels the statement (CancelStatement, then waits
   * until it has stopped) is `cancelsOnAbort`'s answer, asked at the abort: a run cancelled by its
   * user should stop the warehouse's work; a worker stopping for a deploy, or an attempt the
   * server has timed out, should leave the UNLOAD running for the next attempt to take over.
   */
  signal?: AbortSignal;
  /** Asked when `signal` aborts; cancels when absent, or when it cannot answer. */
  cancelsOnAbort?: () => boolean | Promise<boolean>;
}

/**
 * The StatementName of a run's UNLOAD: listed by its run's prefix (ListStatements matches a
 * prefix), which ends in a space so that run `a/1` does not also find `a/10`.
 */
export const runStatementsPrefix = (runId: string): string => `ferry unload ${runId} `;
export const unloadStatementName = (runId: string, attempt: number): string => `${runStatementsPrefix(runId)}attempt ${attempt}`;

/**
 * Whether an earlier attempt's UNLOAD can be waited for: still queued or running, or finished
 * (its files and manifest are complete). One that failed or was cancelled must run again.
 */
export const resumable = (d: DescribeStatementResponse): boolean => RUNNING_STATUSES.includes(d.Status ?? '') || d.Status === 'FINISHED';

/**
 * The UNLOAD as one BatchExecuteStatement: ferry's session settings (the same a wire session
 * runs under), then the statement, in
 * one session and transaction (AWS, "BatchExecuteStatement": run serially as one
 * transaction). It runs on in the warehouse whatever happens to the worker.
 */
export async function dataApiUnload(
  api: RedshiftDataClient,
  connection: DataApiConnection,
  unload: Statement,
  durable: DurableUnload,
): Promise<DescribeStatementResponse> {
  let id = durable.resume;
  if (!id) {
    if (unload.values && unload.values.length > 0) throw new Error('an UNLOAD is sent without bind parameters');
    const started = await api.send(
      new BatchExecuteStatementCommand({
        ...dataApiWhere(connection),
        Sqls: [...redshiftSessionSettings, ...unloadSessionSettings.map((s) => s.text), unload.text],
        ClientToken: durable.clientToken,
        StatementName: durable.statementName ?? 'ferry unload',
      }),
    );
    id = started.Id!;
  }
  durable.onStarted?.(id);
  const statementId = id;
  // Left running, the wait ends at the next poll with the abort's reason; cancelled, it ends when the statement is ABORTED.
  const leave = new AbortController();
  const cancels = async () => {
    try {
      return durable.cancelsOnAbort ? await durable.cancelsOnAbort() : true;
    } catch {
      return true;
    }
  };
  const onAbort = () =>
    void cancels()
      .then(async (cancel) => (cancel ? await cancelStatement(api, statementId) : leave.abort(durable.signal?.reason)))
      // The cancel did not reach the API: stop waiting rather than wait for the whole UNLOAD.
      .catch(() => leave.abort(durable.signal?.reason));
  // Aborted already (while the statement was being started): decide now.
  if (durable.signal?.aborted) onAbort();
  else durable.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await waitForStatement(api, statementId, { onPoll: durable.onPoll, maxWaitMs: 1000, signal: leave.signal });
  } finally {
    durable.signal?.removeEventListener('abort', onAbort);
  }
}
