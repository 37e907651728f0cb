import { quoteQualified, run, statement, type QualifiedName, type Session, type Statement } from '@ferry/sql';
import type { TwinIndex } from '@ferry/contract';

// A table's shape — columns, defaults, identity, checks, indexes — as text that compares
// equal for the target and its twin exactly when the twin still has the target's definition.

export const selectShapeColumns = (table: QualifiedName): Statement =>
  statement(
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, a.attidentity, a.attgenerated, a.attcollation,
            pg_get_expr(d.adbin, d.adrelid) AS default
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [quoteQualified(table)],
  );

export const selectShapeChecks = (table: QualifiedName): Statement =>
  statement(`SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'c' ORDER BY conname`, [
    quoteQualified(table),
  ]);

export const selectShapeIndexes = (table: QualifiedName): Statement =>
  statement(
    `SELECT ic.relname AS name, i.indisunique::text || substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$') AS def
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = to_regclass($1)`,
    [quoteQualified(table)],
  );

/** The shape, with indexes named by `renames` where it has an entry (the twin's temporary names). */
async function shape(session: Session, table: QualifiedName, renames: Record<string, string>): Promise<string> {
  const columns = await run(session, selectShapeColumns(table));
  const checks = await run(session, selectShapeChecks(table));
  const indexes = await run<{ name: string; def: string }>(session, selectShapeIndexes(table));
  const named = indexes.rows.map((i) => [renames[i.name] ?? i.name, i.def]).sort();
  return JSON.stringify([columns.rows, checks.rows, named]);
}

/**
 * The target's shape against the twin's, read under finalize's lock: a target altered during
 * the run must not be swapped for the older shape.
 */
export async function twinMatchesTarget(session: Session, target: QualifiedName, twin: QualifiedName, indexes: TwinIndex[]): Promise<boolean> {
  const tempToName = Object.fromEntries(indexes.map((i) => [i.temp, i.name]));
  return (await shape(session, target, {})) === (await shape(session, twin, tempToName));
}
