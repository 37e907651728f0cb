import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import { ledgerTableFor, partsTableFor } from './names';

// The parts a run's UNLOAD wrote, numbered per attempt in the order they were seen: first as
// the activity listed them while the UNLOAD ran, then the manifest's others. A table can have
// any number of parts, and workflow history must not hold them: loads are scheduled by
// (attempt, ordinal) and read their part here, and the manifest proof is one query that joins
// these rows to the ledger. Rows go with the lease (lease.ts), like the ledger's.

const table = (schema: string) => quoteQualified(partsTableFor(schema));

/** A part as listed in its attempt's folder while the UNLOAD ran (complete, record count unknown). */
export interface ListedPartRow {
  key: string;
  name: string;
  bytes: number;
  etag: string;
}

/** A part as the manifest describes it, with its ETag in the listing taken after the UNLOAD. */
export interface ManifestPartRow extends ListedPartRow {
  rows: number;
}

export interface RegisteredPartRow {
  key: string;
  name: string;
  /** The size as first listed. */
  bytes: number;
  /** The manifest's record count (absent until the manifest confirms the part). */
  rows?: number;
  /** False once the UNLOAD's manifest is read and does not list the part: loading it would add rows the source did not unload. */
  inManifest?: boolean;
}

export interface Registry {
  runId: string;
  attempt: number;
  target: QualifiedName;
}

export const createPartsTable = (schema: string): Statement =>
  statement(`CREATE TABLE IF NOT EXISTS ${table(schema)} (
       run_id text NOT NULL,
       attempt int NOT NULL,
       ordinal int NOT NULL,
       target text NOT NULL,
       key text NOT NULL,
       name text NOT NULL,
       listed_bytes bigint NOT NULL,
       etag text NOT NULL,
       manifest_bytes bigint,
       manifest_rows bigint,
       in_manifest boolean,
       PRIMARY KEY (run_id, attempt, ordinal),
       UNIQUE (run_id, attempt, key))`);

/**
 * Taken, in the transaction that registers, before numbering: parts are numbered after those
 * registered already, whoever registered them — two unloads of one attempt (one the server timed
 * out that has not noticed yet, and the next attempt that took its Data API UNLOAD over) must not
 * give two parts one number.
 */
export const lockAttemptParts = (r: Registry): Statement =>
  statement(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`ferry parts ${r.runId} ${r.attempt}`]);

/** The next free number, and "not registered yet", for the INSERTs below ($1 run, $2 attempt). */
const nextOrdinals = (schema: string) => `
     CROSS JOIN (SELECT coalesce(max(ordinal) + 1, 0) AS next FROM ${table(schema)} WHERE run_id = $1 AND attempt = $2) AS base
     WHERE NOT EXISTS (SELECT 1 FROM ${table(schema)} AS t WHERE t.run_id = $1 AND t.attempt = $2 AND t.key = p.key)`;

/**
 * Parts listed while the UNLOAD runs, numbered after the attempt's registered ones (under
 * lockAttemptParts). A part registered already (a retried statement) keeps its row, and with it
 * the ETag it was first listed with: loading it with aws_s3 marks it gzip, which gives it a new one.
 */
export const registerListedParts = (schema: string, r: Registry, parts: readonly ListedPartRow[]): Statement =>
  statement(
    `INSERT INTO ${table(schema)} (run_id, attempt, ordinal, target, key, name, listed_bytes, etag)
     SELECT $1, $2, base.next + row_number() OVER (ORDER BY p.n) - 1, $3, p.key, p.name, p.bytes, p.etag
     FROM unnest($4::text[], $5::text[], $6::bigint[], $7::text[]) WITH ORDINALITY AS p(key, name, bytes, etag, n)${nextOrdinals(schema)}`,
    [r.runId, r.attempt, quoteQualified(r.target), parts.map((p) => p.key), parts.map((p) => p.name), parts.map((p) => p.bytes), parts.map((p) => p.etag)],
  );

/** The manifest's word on parts registered already: their size and record count. */
export const confirmParts = (schema: string, r: Registry, parts: readonly ManifestPartRow[]): Statement =>
  statement(
    `UPDATE ${table(schema)} AS t SET manifest_bytes = p.bytes, manifest_rows = p.rows, in_manifest = true
     FROM unnest($3::text[], $4::bigint[], $5::bigint[]) AS p(key, bytes, rows)
     WHERE t.run_id = $1 AND t.attempt = $2 AND t.key = p.key`,
    [r.runId, r.attempt, parts.map((p) => p.key), parts.map((p) => p.bytes), parts.map((p) => p.rows)],
  );

/**
 * An attempt's registered parts by number: those from `from` on (registered since the caller
 * last looked, by it or by another unload of the attempt) and those named in `keys`. From 0
 * with no keys, all of them: what an unload that takes over a running UNLOAD starts from.
 */
export const selectAttemptParts = (schema: string, r: Registry, { from = 0, keys = [] }: { from?: number; keys?: readonly string[] } = {}): Statement =>
  statement(
    `SELECT ordinal, key, name, listed_bytes AS bytes FROM ${table(schema)}
     WHERE run_id = $1 AND attempt = $2 AND (ordinal >= $3 OR key = ANY ($4::text[])) ORDER BY ordinal`,
    [r.runId, r.attempt, from, keys],
  );

/** Manifest parts nobody listed before the UNLOAD ended, numbered after the attempt's registered ones (under lockAttemptParts). */
export const registerManifestParts = (schema: string, r: Registry, parts: readonly ManifestPartRow[]): Statement =>
  statement(
    `INSERT INTO ${table(schema)} (run_id, attempt, ordinal, target, key, name, listed_bytes, etag, manifest_bytes, manifest_rows, in_manifest)
     SELECT $1, $2, base.next + row_number() OVER (ORDER BY p.n) - 1, $3, p.key, p.name, p.bytes, p.etag, p.bytes, p.rows, true
     FROM unnest($4::text[], $5::text[], $6::bigint[], $7::text[], $8::bigint[]) WITH ORDINALITY AS p(key, name, bytes, etag, rows, n)${nextOrdinals(schema)}`,
    [
      r.runId,
      r.attempt,
      quoteQualified(r.target),
      parts.map((p) => p.key),
      parts.map((p) => p.name),
      parts.map((p) => p.bytes),
      parts.map((p) => p.etag),
      parts.map((p) => p.rows),
    ],
  );

/** Once the manifest is read: the parts listed while the UNLOAD ran that it does not list (a stray object in the folder). */
export const markNotInManifest = (schema: string, r: Registry): Statement =>
  statement(`UPDATE ${table(schema)} SET in_manifest = false WHERE run_id = $1 AND attempt = $2 AND in_manifest IS NULL`, [r.runId, r.attempt]);

export const selectRegisteredPart = (schema: string, runId: string, attempt: number, ordinal: number): Statement =>
  statement(`SELECT key, name, listed_bytes, manifest_rows, in_manifest FROM ${table(schema)} WHERE run_id = $1 AND attempt = $2 AND ordinal = $3`, [
    runId,
    attempt,
    ordinal,
  ]);

export async function readRegisteredPart(
  session: Session,
  schema: string,
  runId: string,
  attempt: number,
  ordinal: number,
): Promise<RegisteredPartRow | undefined> {
  const { rows } = await run<{ key: string; name: string; listed_bytes: string; manifest_rows: string | null; in_manifest: boolean | null }>(
    session,
    selectRegisteredPart(schema, runId, attempt, ordinal),
  );
  const row = rows[0];
  return (
    row && {
      key: row.key,
      name: row.name,
      bytes: Number(row.listed_bytes),
      ...(row.manifest_rows !== null && { rows: Number(row.manifest_rows) }),
      ...(row.in_manifest !== null && { inManifest: row.in_manifest }),
    }
  );
}

/** At most this many problems are named; the count says how many there were. */
const NAMED_PROBLEMS = 20;

/**
 * The manifest proof over an attempt's parts, against the ledger rows of the loads since the
 * `epoch`-th reset of staging (load-part.ts names them): staging holds exactly the manifest's
 * parts when each loadable manifest part was loaded once, with the manifest's record count,
 * from the object as first listed (same size, same ETag), and nothing the manifest does not
 * list was loaded. The ledger's primary key rules out a part loaded twice.
 */
export const proveRegisteredParts = (schema: string, runId: string, attempt: number, epoch: number): Statement =>
  statement(
    `WITH loaded AS (
       SELECT p.name, p.listed_bytes, p.etag, p.manifest_bytes, p.manifest_rows, l.rows AS loaded_rows, l.etag AS loaded_etag, l.part IS NOT NULL AS loaded
       FROM ${table(schema)} AS p
       LEFT JOIN ${quoteQualified(ledgerTableFor(schema))} AS l
         ON l.run_id = p.run_id AND l.part = CASE WHEN $3::int = 0 THEN p.key ELSE p.key || '#' || $3::int END
       WHERE p.run_id = $1 AND p.attempt = $2),
     judged AS (
       SELECT *, CASE
         WHEN manifest_rows IS NULL THEN CASE WHEN loaded THEN name || ' was loaded but the manifest does not list it' END
         WHEN listed_bytes <> manifest_bytes THEN format('%s: listed with %s bytes, the manifest says %s', name, listed_bytes, manifest_bytes)
         WHEN NOT loaded THEN CASE WHEN manifest_rows > 0 AND manifest_bytes > 0 THEN name || ' is in the manifest but was not loaded' END
         WHEN loaded_rows <> manifest_rows THEN format('%s: loaded %s rows, the manifest says %s', name, loaded_rows, manifest_rows)
         WHEN loaded_etag <> etag THEN format('%s: loaded ETag %s, listed as %s', name, loaded_etag, etag)
       END AS problem
       FROM loaded)
     SELECT count(*) FILTER (WHERE manifest_rows IS NOT NULL) AS parts,
            count(*) FILTER (WHERE manifest_rows IS NOT NULL AND NOT (manifest_rows > 0 AND manifest_bytes > 0)) AS skipped,
            count(*) FILTER (WHERE loaded) AS loaded_parts,
            coalesce(sum(loaded_rows), 0) AS loaded_rows,
            coalesce(sum(manifest_rows), 0) AS manifest_rows,
            count(problem) AS problem_count,
            (array_agg(problem ORDER BY name) FILTER (WHERE problem IS NOT NULL))[1:${NAMED_PROBLEMS}] AS problems
     FROM judged`,
    [runId, attempt, epoch],
  );

export interface RegisteredPartsProof {
  /** The manifest's parts, and those of them skipped as empty. */
  parts: number;
  skipped: number;
  loadedParts: number;
  loadedRows: number;
  manifestRows: number;
  problemCount: number;
  /** The first problems, by part name. */
  problems: string[];
}

export async function proveParts(session: Session, schema: string, runId: string, attempt: number, epoch: number): Promise<RegisteredPartsProof> {
  const { rows } = await run<
    Record<'parts' | 'skipped' | 'loaded_parts' | 'loaded_rows' | 'manifest_rows' | 'problem_count', string> & { problems: string[] | null }
  >(session, proveRegisteredParts(schema, runId, attempt, epoch));
  const r = rows[0];
  return {
    parts: Number(r.parts),
    skipped: Number(r.skipped),
    loadedParts: Number(r.loaded_parts),
    loadedRows: Number(r.loaded_rows),
    manifestRows: Number(r.manifest_rows),
    problemCount: Number(r.problem_count),
    problems: r.problems ?? [],
  };
}
