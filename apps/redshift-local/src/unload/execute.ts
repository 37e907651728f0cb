import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createS3Client, deletePrefix, parseS3Url, s3SettingsFromEnv, type S3Settings } from '@ferry/s3';
import type { Backend, ErrorFields } from '../backend';
import { describeMessages, queryMessage, type ColumnDescription } from '../protocol/frames';
import { rewriteStatement } from '../sql/rewrite';
import { hasOuterLimit, stripTrailingSemicolons } from '../sql/scan';
import { copySql, sessionSettingsFor } from './copy-sql';
import { RowEncoder } from './encode';
import { buildManifest } from './manifest';
import { validateOptions, UnloadOptionError, type UnloadOptions } from './options';
import { parseUnload } from './parse';
import { UnloadWriter } from './writer';
import type { UnloadHistory } from './history';

/** What the client gets back: the row count for Redshift's INFO notice, or an error (from the backend, or the proxy's own). */
export type UnloadOutcome = { ok: true; rows: number; files: number; bytes: number } | { ok: false; fields: ErrorFields; fromBackend: boolean };

export interface UnloadContext {
  backend: Backend;
  slices: number;
  /** Test-only (server.ts): the part size that replaces MAXFILESIZE's. */
  testPartBytes?: number;
  s3Settings?: S3Settings;
  /** The IAM roles associated with the cluster; unset, any role is taken. */
  iamRoles?: string[];
  log: (line: string) => void;
  /** Where the UNLOAD is recorded for SYS_UNLOAD_HISTORY, once its destination is checked. */
  history?: UnloadHistory;
}

const fail = (C: string, M: string): UnloadOutcome => ({ ok: false, fields: { C, M }, fromBackend: false });

/** The text AWS documents for a destination that already holds objects (UNLOAD without ALLOWOVERWRITE/CLEANPATH). */
export const NOT_EMPTY =
  'Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option.';

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
    return fail(err instanceof UnloadOptionError ? err.code : '42601', (err as Error).message);
  }
  const stripped = stripTrailingSemicolons(statement.query);
  const query = rewriteStatement(stripped) ?? stripped;
  // AWS, "UNLOAD" usage notes: "The SELECT query can't use a LIMIT clause in the outer SELECT."
  if (hasOuterLimit(query)) {
    return fail('0A000', 'LIMIT clause is not supported in the outer SELECT of an UNLOAD query; use a nested LIMIT (select … where id in (select … limit n))');
  }
  const { bucket, key: prefix } = parseS3Url(statement.to);
  // AWS, "Authorization parameters": IAM_ROLE names "an IAM role that your cluster uses", one
  // associated with the cluster; Redshift cannot assume another. The wording is *assumed*.
  if (options.auth.kind === 'role' && ctx.iamRoles && !ctx.iamRoles.includes(options.auth.role)) {
    return fail('XX000', `User is not authorized to assume IAM Role ${options.auth.role}: it is not associated with the cluster`);
  }

  // In a failed transaction this answers "current transaction is aborted…", as Redshift would.
  const described = await ctx.backend.exchange(describeMessages(query));
  if (described.error) return { ok: false, fields: described.error, fromBackend: true };
  const columns: ColumnDescription[] = described.rowDescription ?? [];
  if (columns.length === 0) return fail('42601', 'UNLOAD needs a query that returns rows (a SELECT)');
  if (options.fixedWidths && options.fixedWidths.length !== columns.length) {
    return fail('22023', `UNLOAD: the FIXEDWIDTH specification has ${options.fixedWidths.length} column(s) but the query returns ${columns.length}`);
  }

  const s3 = s3For(options, ctx.s3Settings);
  try {
    await prepareDestination(s3, bucket, prefix, options);
  } catch (err) {
    return { ok: false, fields: s3ErrorFields(err, `Listing bucket=${bucket} prefix=${prefix}`), fromBackend: false };
  }

  await ctx.history?.started({
    location: statement.to,
    fileFormat: { text: 'Text', csv: 'CSV', fixedwidth: 'Fixed width' }[options.format],
    compression: options.compression,
  });
  const outcome = await streamRows(ctx, { query, columns, options, s3, bucket, prefix });
  await ctx.history?.finished(outcome.ok ? { completed: true, ...outcome } : { completed: false, error: outcome.fields.M ?? 'UNLOAD failed' });
  return outcome;
}

/** The UNLOAD proper, its destination checked: the query's rows through the writer into S3, then the manifest. */
async function streamRows(
  ctx: UnloadContext,
  {
    query,
    columns,
    options,
    s3,
    bucket,
    prefix,
  }: { query: string; columns: ColumnDescription[]; options: UnloadOptions; s3: S3Client; bucket: string; prefix: string },
): Promise<UnloadOutcome> {
  const encoder = new RowEncoder({ ...options, widths: options.fixedWidths?.map((w) => w.width) }, columns.length);
  const parts = ctx.testPartBytes ? { ...options, maxFileSizeBytes: Math.min(options.maxFileSizeBytes, ctx.testPartBytes) } : options;
  const writer = new UnloadWriter(s3, bucket, prefix, parts, ctx.slices, encoder, options.header ? columns.map((c) => c.name) : undefined);
  // An S3 failure mid-stream stops the COPY the way a client would: with a CancelRequest.
  writer.onFailure(() => ctx.backend.cancel());

  const settings = sessionSettingsFor(ctx.backend.params);
  if (settings) await ctx.backend.exchange(queryMessage(settings.set));
  let rows = 0;
  const copied = await ctx.backend.copyOut(
    queryMessage(
      copySql(
        query,
        columns.map((c) => ctx.backend.redshiftType(c.typeOid, c.typeModifier)),
      ),
    ),
    {
      row: (body) => {
        rows++;
        writer.writeRow(body);
      },
      chunkEnd: () => writer.flush(),
    },
  );
  if (settings) await ctx.backend.exchange(queryMessage(settings.restore));

  if (writer.failed) {
    await writer.abort();
    return { ok: false, fields: s3ErrorFields(writer.failed, `Uploading to s3://${bucket}/${prefix}`), fromBackend: false };
  }
  if (copied.error) {
    await writer.abort();
    return { ok: false, fields: copied.error, fromBackend: true };
  }
  try {
    const parts = await writer.finish();
    if (options.manifest !== 'none') {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${prefix}manifest`,
          Body: buildManifest(
            bucket,
            parts,
            columns.map((c) => ({ ...c, typeOid: ctx.backend.redshiftType(c.typeOid, c.typeModifier) })),
            options,
          ),
          ContentType: 'application/json',
        }),
      );
    }
    ctx.log(`UNLOAD ${rows} row(s) to s3://${bucket}/${prefix} in ${parts.length} file(s)`);
    return { ok: true, rows, files: parts.length, bytes: parts.reduce((n, p) => n + p.bytes, 0) };
  } catch (err) {
    await writer.abort();
    return { ok: false, fields: s3ErrorFields(err, `Uploading to s3://${bucket}/${prefix}`), fromBackend: false };
  }
}

/**
 * UNLOAD refuses to overwrite unless told to (ALLOWOVERWRITE), or empties the path first
 * (CLEANPATH). Either way the bucket and the keys are checked before any row is read, so a
 * wrong bucket or key fails at once.
 */
async function prepareDestination(s3: S3Client, bucket: string, prefix: string, o: UnloadOptions): Promise<void> {
  if (o.cleanPath) {
    await deletePrefix(s3, bucket, prefix);
    return;
  }
  const existing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }));
  if ((existing.KeyCount ?? 0) > 0 && !o.allowOverwrite) throw new UnloadOptionError(NOT_EMPTY, 'XX000');
}

/** With an IAM role, redshift-local writes with its own keys (the "role"); explicit keys are used as given. */
function s3For(o: UnloadOptions, base: S3Settings = s3SettingsFromEnv()): S3Client {
  if (o.auth.kind === 'role') return createS3Client(base);
  const { accessKeyId, secretAccessKey, sessionToken } = o.auth;
  return new S3Client({
    region: base.region,
    endpoint: base.endpoint,
    forcePathStyle: base.forcePathStyle ?? Boolean(base.endpoint),
    credentials: { accessKeyId, secretAccessKey, sessionToken },
    maxAttempts: 5,
  });
}

/**
 * S3 failures in the shape Redshift reports them:
 * `S3ServiceException:<message>,Status <http status>,Error <S3 error code>,Rid <request id>,ExtRid <extended id>`,
 * with a DETAIL naming what was being done.
 */
export function s3ErrorFields(err: unknown, context: string): ErrorFields {
  if (err instanceof UnloadOptionError) return { C: err.code, M: err.message };
  const e = err as Error & { Code?: string; $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string } };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return { C: 'XX000', M: `S3 request failed: ${e.message}`, D: `context: ${context}` };
  return {
    C: 'XX000',
    M: `S3ServiceException:${e.message},Status ${status},Error ${e.Code ?? e.name},Rid ${e.$metadata?.requestId ?? ''},ExtRid ${e.$metadata?.extendedRequestId ?? ''}`,
    D: `context: ${context}`,
  };
}
