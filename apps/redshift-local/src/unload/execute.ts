import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, deletePrefix, parseS3Url, s3SettingsFromEnv, type S3Settings } from '@ferry/s3';
import { quoteIdent } from '@ferry/sql';
import { describeMessages, queryMessage } from '../protocol/frames';
import type { BackendChannel } from '../session';
import { RowEncoder } from './encode';
import { buildManifest, type ColumnType } from './manifest';
import { validateOptions, UnloadOptionError, type UnloadOptions } from './options';
import { parseUnload } from './parse';
import { UnloadWriter } from './writer';

/** What the client gets back: Redshift's INFO notice and the row count, or an error. */
export type UnloadOutcome = { ok: true; rows: number } | { ok: false; fields: Record<string, string> };

export interface UnloadContext {
  backend: BackendChannel;
  slices: number;
  s3Settings?: S3Settings;
  log: (line: string) => void;
}

/**
 * Executes an UNLOAD on the client's own backend connection — so the session's search_path
 * and transaction apply, pg_stat_activity shows the running COPY, and the client's
 * CancelRequest cancels it — and streams the rows into S3 objects.
 */
export async function executeUnload(sql: string, ctx: UnloadContext): Promise<UnloadOutcome> {
  let options: UnloadOptions;
  let statement;
  try {
    statement = parseUnload(sql);
    options = validateOptions(statement);
  } catch (err) {
    const code = err instanceof UnloadOptionError ? err.code : '42601';
    return { ok: false, fields: { C: code, M: (err as Error).message } };
  }
  const { bucket, key: prefix } = parseS3Url(statement.to);
  const s3 = s3For(options, ctx.s3Settings);

  const described = await ctx.backend.exchange(describeMessages(statement.query));
  if (described.error) return { ok: false, fields: described.error };
  const columns: ColumnType[] = described.rowDescription ?? [];
  if (columns.length === 0) return { ok: false, fields: { C: '42601', M: 'UNLOAD needs a query that returns rows (a SELECT)' } };

  try {
    await prepareDestination(s3, bucket, prefix, options);
  } catch (err) {
    return { ok: false, fields: s3ErrorFields(err) };
  }

  const encoder = new RowEncoder(options);
  const writer = new UnloadWriter(s3, bucket, prefix, options, ctx.slices, options.header ? encoder.encodeHeader(columns.map((c) => c.name)) : undefined);
  let rows = 0;
  const copied = await ctx.backend.copyOut(queryMessage(copySql(statement.query, columns)), async (row) => {
    rows++;
    if (!writer.write(encoder.encodeCopyRow(row))) await writer.drain();
  });
  if (copied.error) {
    await writer.abort();
    return { ok: false, fields: copied.error };
  }
  try {
    const parts = await writer.finish();
    if (options.manifest !== 'none') {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}manifest`, Body: buildManifest(bucket, parts, columns, options), ContentType: 'application/json' }));
    }
    ctx.log(`UNLOAD ${rows} rows to s3://${bucket}/${prefix} (${parts.length} files)`);
    return { ok: true, rows };
  } catch (err) {
    await writer.abort();
    return { ok: false, fields: s3ErrorFields(err) };
  }
}

/**
 * Wraps the query so values come out as Redshift writes them: timestamptz in UTC with `+00`
 * (PostgreSQL would use the session's time zone). Columns are renamed by position, so
 * duplicate or odd names in the query do not matter.
 */
export function copySql(query: string, columns: ColumnType[]): string {
  const names = columns.map((_, i) => quoteIdent(`c${i + 1}`));
  const exprs = columns.map((c, i) => (c.typeOid === 1184 ? `((${names[i]} AT TIME ZONE 'UTC')::text || '+00')` : names[i]));
  return `COPY (SELECT ${exprs.join(', ')} FROM (${query}) AS unload_source(${names.join(', ')})) TO STDOUT`;
}

/** UNLOAD refuses to overwrite unless told to (ALLOWOVERWRITE), or empties the path first (CLEANPATH). */
async function prepareDestination(s3: S3Client, bucket: string, prefix: string, o: UnloadOptions): Promise<void> {
  if (o.cleanPath) {
    await deletePrefix(s3, bucket, prefix);
    return;
  }
  if (o.allowOverwrite) return;
  const existing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
  if ((existing.KeyCount ?? 0) > 0) {
    throw new UnloadOptionError(
      'Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.',
      'XX000',
    );
  }
}

/** With an IAM role, redshift-local writes with its own keys (the "role"); explicit keys are used as given. */
function s3For(o: UnloadOptions, base: S3Settings = s3SettingsFromEnv()): S3Client {
  if (o.auth.kind === 'role') return createS3Client(base);
  return createS3Client({ ...base, accessKeyId: o.auth.accessKeyId, secretAccessKey: o.auth.secretAccessKey });
}

/** S3 failures in the shape Redshift reports them: `S3ServiceException:<message>,Status <n>,Error <code>`. */
function s3ErrorFields(err: unknown): Record<string, string> {
  if (err instanceof UnloadOptionError) return { C: err.code, M: err.message };
  const e = err as Error & { Code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return { C: 'XX000', M: `S3ServiceException:${e.message},Status ${status ?? 'unknown'},Error ${e.Code ?? e.name}` };
}

