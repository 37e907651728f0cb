import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { SOURCE_DB, TABLE, TARGET_DB, targetRows } from './databases';
import { run, timed } from './processes';

/**
 * The peer: pgloader moving the same table PostgreSQL → PostgreSQL into the same empty
 * target table. pgloader's quirks, handled here:
 * - with a pgsql source, a table filter must name its schema (`IN SCHEMA 'public'`), or
 *   the command file does not parse;
 * - `data only` keeps it from recreating the target (and its indexes), `truncate` empties
 *   it first — the same starting point as the other methods;
 * - it exits 0 even when rows were rejected (it logs them and carries on), so the caller
 *   checks the target's row count;
 * - URIs without a password work with the machine's trust authentication.
 */
export function writePgloaderCommand(dir: string, concurrency: number): string {
  const host = process.env.PGHOST ?? '127.0.0.1';
  const port = process.env.PGPORT ?? '5432';
  const user = process.env.PGUSER ?? 'postgres';
  const [schema, table] = TABLE.split('.');
  const file = path.join(dir, 'pgloader.load');
  writeFileSync(
    file,
    `LOAD DATABASE
  FROM pgsql://${user}@${host}:${port}/${SOURCE_DB}
  INTO pgsql://${user}@${host}:${port}/${TARGET_DB}
WITH data only, truncate, workers = ${Math.max(4, 2 * concurrency)}, concurrency = ${concurrency}
INCLUDING ONLY TABLE NAMES MATCHING '${table}' IN SCHEMA '${schema}'
;
`,
  );
  return file;
}

export async function runPgloader(commandFile: string, expectedRows: number): Promise<number> {
  const { ms } = await timed(() =>
    run('pgloader', ['--quiet', '--root-dir', path.dirname(commandFile), '--logfile', path.join(path.dirname(commandFile), 'pgloader.log'), commandFile]),
  );
  const rows = await targetRows();
  if (rows !== expectedRows)
    throw new Error(`pgloader left ${rows} rows in the target, expected ${expectedRows}; see ${path.join(path.dirname(commandFile), 'pgloader.log')}`);
  return ms;
}
