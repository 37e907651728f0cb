import {
  CancelStatementCommand,
  DescribeStatementCommand,
  GetStatementResultCommand,
  ListStatementsCommand,
  type ColumnMetadata,
  type DescribeStatementResponse,
  type Field,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import type { ResultField } from '../columns';
import { describeColumnMetadata } from './column-metadata';

// A Data API statement's life (AWS, Redshift Data API reference, "DescribeStatement"):
// SUBMITTED → PICKED → STARTED → FINISHED, or FAILED (with Error) or ABORTED (cancelled).

export const RUNNING_STATUSES: readonly string[] = ['SUBMITTED', 'PICKED', 'STARTED'];

/** A statement that ended FAILED or ABORTED: the server's own message, and the status. */
export class DataApiStatementFailed extends Error {
  override readonly name = 'DataApiStatementFailed';
  /** The SQLSTATE the message stands for, where it is one ferry acts on (the Data API reports text only). */
  readonly code: string | undefined;
  constructor(
    readonly statementId: string,
    readonly status: string,
    message: string,
  ) {
    super(message);
    this.code = status === 'FAILED' ? sqlStateOf(message) : undefined;
  }
}

/**
 * DescribeStatement's Error is the server's message without its SQLSTATE; ferry's failure
 * messages turn on a few, recognized by the text PostgreSQL and Redshift print for them
 * (*assumed* unchanged by the Data API, which documents Error as "the error message from the
 * cluster").
 */
const SQL_STATES: [RegExp, string][] = [
  [/relation .* does not exist/i, '42P01'],
  [/schema .* does not exist/i, '3F000'],
  [/column .* does not exist/i, '42703'],
  [/syntax error/i, '42601'],
  [/permission denied/i, '42501'],
  [/function .* does not exist/i, '42883'],
  [/invalid input syntax/i, '22P02'],
];

export const sqlStateOf = (message: string): string | undefined => SQL_STATES.find(([pattern]) => pattern.test(message))?.[1];

export const describeStatement = (api: RedshiftDataClient, id: string): Promise<DescribeStatementResponse> =>
  api.send(new DescribeStatementCommand({ Id: id }));

/**
 * Polls until the statement is no longer queued or running: quickly at first (a catalog read
 * takes milliseconds), then every `maxWaitMs` (a long UNLOAD). `onPoll` sees each description.
 * Rejects with DataApiStatementFailed when it failed or was aborted.
 */
export async function waitForStatement(
  api: RedshiftDataClient,
  id: string,
  { signal, onPoll, maxWaitMs = 1000 }: { signal?: AbortSignal; onPoll?: (d: DescribeStatementResponse) => void; maxWaitMs?: number } = {},
): Promise<DescribeStatementResponse> {
  for (let wait = 20; ; wait = Math.min(wait * 2, maxWaitMs)) {
    const d = await describeStatement(api, id);
    onPoll?.(d);
    if (!RUNNING_STATUSES.includes(d.Status ?? '')) {
      if (d.Status === 'FINISHED') return d;
      // A batch's error may be only its failed sub-statement's.
      const error = d.Error ?? d.SubStatements?.find((sub) => sub.Error)?.Error;
      throw new DataApiStatementFailed(id, d.Status ?? 'unknown', error ?? `statement ${id} ended ${d.Status}`);
    }
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Asks the Data API to cancel; a statement that already ended cannot be, and that is fine. */
export async function cancelStatement(api: RedshiftDataClient, id: string): Promise<void> {
  const d = await describeStatement(api, id);
  if (!RUNNING_STATUSES.includes(d.Status ?? '')) return;
  await api.send(new CancelStatementCommand({ Id: id }));
}

/**
 * Cancels every statement still queued or running whose StatementName starts with `prefix`
 * (AWS, "ListStatements": a case-sensitive prefix; RoleLevel, the default, lists every session of
 * the caller's role), and waits until they have stopped. Returns their ids.
 */
export async function cancelStatementsNamed(api: RedshiftDataClient, prefix: string): Promise<string[]> {
  const running: string[] = [];
  let token: string | undefined;
  do {
    const page = await api.send(new ListStatementsCommand({ StatementName: prefix, Status: 'ALL', MaxResults: 100, ...(token && { NextToken: token }) }));
    for (const s of page.Statements ?? []) if (s.Id && RUNNING_STATUSES.includes(s.Status ?? '')) running.push(s.Id);
    token = page.NextToken;
  } while (token);
  for (const id of running) {
    await cancelStatement(api, id);
    // Until it has stopped: it writes nothing after the caller goes on.
    await waitForStatement(api, id).catch(() => undefined);
  }
  return running;
}

/** A result as node-postgres gives one: rows by column name, and each column's description. */
export interface StatementResult<R> {
  rows: R[];
  fields: ResultField[];
}

/** Every page of a statement's result (GetStatementResult, NextToken), gathered: catalog reads are small. */
export async function statementResult<R extends object>(api: RedshiftDataClient, id: string): Promise<StatementResult<R>> {
  const rows: R[] = [];
  let columns: ColumnMetadata[] = [];
  let token: string | undefined;
  do {
    const page = await api.send(new GetStatementResultCommand({ Id: id, ...(token && { NextToken: token }) }));
    if (page.ColumnMetadata?.length) columns = page.ColumnMetadata;
    for (const record of page.Records ?? []) rows.push(Object.fromEntries(record.map((f, i) => [columns[i]?.name ?? String(i), fieldValue(f)])) as R);
    token = page.NextToken;
  } while (token);
  return { rows, fields: describeColumnMetadata(columns) };
}

/** One Field as the JavaScript value node-postgres would give for it; numeric and bigint text stays text. */
function fieldValue(f: Field): unknown {
  if (f.isNull) return null;
  if (f.longValue !== undefined) return f.longValue;
  if (f.doubleValue !== undefined) return f.doubleValue;
  if (f.booleanValue !== undefined) return f.booleanValue;
  if (f.stringValue !== undefined) return f.stringValue;
  return f.blobValue;
}
