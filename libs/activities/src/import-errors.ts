import { createGunzip } from 'node:zlib';
import { pipeline, type Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ResolvedLoad } from '@ferry/contract';
import { getObjectStream } from '@ferry/s3';
import type { Client } from 'pg';
import { displayName } from '@ferry/sql';
import { badValueMessage, type BadValue } from './bad-values/bad-value-message';
import { copyErrorPlace } from './bad-values/copy-error';
import { unloadedRecord } from './bad-values/unloaded-record';
import { FailureType, nonRetryable } from './failures';
import { rowHashRefused } from './failure-messages/verify';
import { CARRIED_CHECK } from '@ferry/checksum';
import { canHoldText, primaryKeyOf, serverEncoding, type RegisteredPartRow } from '@ferry/postgres';

export interface ImportErrorContext {
  /** The load's session, its transaction rolled back: free for the look-ups below. */
  session: Client;
  s3: S3Client;
  load: ResolvedLoad;
  part: RegisteredPartRow;
  /** The activity's cancellation: reading the part again stops with it. */
  signal?: AbortSignal;
}

/**
 * A value PostgreSQL refuses (SQLSTATE classes 22 and 23) is refused again on every retry:
 * a non-retryable BadData failure naming the part, the line, the column and the row's key,
 * with the fix (a row that fails the checksum gate's CHECK: VerificationFailed). Finding the
 * key reads the part again up to that line; whatever cannot be found is left out, never
 * guessed. Anything else stays as it is, retryable.
 */
export async function describeImportError(err: unknown, ctx: ImportErrorContext): Promise<unknown> {
  const e = err as Error & { code?: string; where?: string; column?: string };
  if (!e.code || !/^(22|23)/.test(e.code)) return err;
  const place = copyErrorPlace(e, { table: ctx.load.staging.name, columns: ctx.load.columns });
  const record = place.line === undefined ? undefined : await readRecord(ctx, place.line).catch(() => undefined);
  const column = place.column ?? (e.code === '22P05' && record ? await unrepresentableColumn(ctx, record) : undefined);
  // aws_s3's import may pass the error on without its constraint field, but not without its message.
  if (e.code === '23514' && ((e as { constraint?: string }).constraint === CARRIED_CHECK || e.message.includes(`"${CARRIED_CHECK}"`))) {
    return rowHashRefused(ctx.load, ctx.part.name, place.line, record && (await keyOf(ctx, record)));
  }
  const bad: BadValue = {
    part: ctx.part.name,
    table: displayName(ctx.load.table),
    code: e.code,
    reason: e.message,
    ...(place.line !== undefined && { line: place.line }),
    ...(column && { column }),
    ...(record && { key: await keyOf(ctx, record) }),
    ...(e.code === '22P05' && { encoding: await serverEncoding(ctx.session).catch(() => undefined) }),
  };
  return nonRetryable(badValueMessage(bad), FailureType.badData);
}

/** The refused record, as UNLOAD wrote it; a compression the worker cannot read leaves it unknown. */
async function readRecord({ s3, load, part, signal }: ImportErrorContext, line: number): Promise<(string | null)[] | undefined> {
  if (load.compression !== 'gzip' && load.compression !== 'none') return undefined;
  const { body } = await getObjectStream(s3, { bucket: load.bucket, key: part.key }, signal);
  // pipeline, not pipe: a failed or aborted download must end the read, not leave it waiting.
  const text: Readable = load.compression === 'gzip' ? pipeline(body, createGunzip(), () => undefined) : body;
  const record = await unloadedRecord(text, line);
  return record?.length === load.columns.length ? record : undefined;
}

async function keyOf({ session, load }: ImportErrorContext, record: (string | null)[]): Promise<BadValue['key']> {
  const key = await primaryKeyOf(session, load.table).catch(() => []);
  if (key.length === 0 || !key.every((k) => load.columns.includes(k))) return undefined;
  return key.map((column) => ({ column, value: record[load.columns.indexOf(column)] }));
}

/**
 * A character the database's encoding cannot hold fails COPY's whole line, before it is split
 * into columns. Each value sent on its own fails the same way in the column that holds one.
 */
async function unrepresentableColumn({ session, load }: ImportErrorContext, record: (string | null)[]): Promise<string | undefined> {
  for (const [i, value] of record.entries()) {
    if (value === null) continue;
    // A value the check itself fails on for another reason (a lost session) is no answer.
    if (!(await canHoldText(session, value).catch(() => true))) return load.columns[i];
  }
  return undefined;
}
