import type { Client } from 'pg';
import { quoteIdent, quoteQualified, type QualifiedName } from '@ferry/sql';
import { checkColumnType, redshiftType, type TargetType, type TypeMismatch } from '@ferry/type-map';
import { FailureType, nonRetryable } from './failures';
import type { SourceColumn } from './source-columns';

export interface TargetColumn {
  name: string;
  generated: boolean;
  identity: boolean;
  type: TargetType;
}

/** The target's columns with their types (a domain as its base type and modifier), or undefined when the table does not exist. */
export async function describeTarget(client: Client, table: QualifiedName): Promise<TargetColumn[] | undefined> {
  const res = await client.query<{ attname: string | null; attgenerated: string; attidentity: string; base: string; typmod: number; display: string }>(
    `SELECT a.attname, a.attgenerated, a.attidentity, b.typname AS base,
            CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS typmod,
            format_type(a.atttypid, a.atttypmod) AS display
       FROM (SELECT to_regclass($1) AS oid) r
       LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
      WHERE r.oid IS NOT NULL
      ORDER BY a.attnum`,
    [quoteQualified(table)],
  );
  if (res.rowCount === 0) return undefined;
  return res.rows
    .filter((r) => r.attname !== null)
    .map((r) => ({
      name: r.attname!,
      generated: r.attgenerated !== '',
      identity: r.attidentity !== '',
      type: { base: r.base, typmod: r.typmod, display: r.display },
    }));
}

/** A source column the target lacks, with the type it would be added as. */
export interface AddedColumn {
  name: string;
  type: string;
}

export interface ColumnCheck {
  source: SourceColumn[];
  target: TargetColumn[];
  sourceLabel: string;
  targetLabel: string;
  onSchemaChange: 'fail' | 'addColumns';
  /** The source columns the previous successful run loaded, if ferry recorded them. */
  previouslyLoaded?: string[];
}

/**
 * Each source column must be a writable column of the target whose type holds every value
 * of the source's type exactly (the type map's rules); all mismatches are named at once.
 * Columns the target lacks are added when asked to (and returned), or refused with the
 * ALTER TABLE that would add them. A column that an earlier run loaded and the source no
 * longer has is refused while the target still has it: ferry never drops target columns.
 */
export function checkColumns(c: ColumnCheck): AddedColumn[] {
  const byName = new Map(c.target.map((t) => [t.name, t]));
  const missing = c.source.filter((s) => !byName.has(s.name));
  const added = missing.map((s) => ({ name: s.name, type: redshiftType(s.type.kind).target(s.type) }));
  if (missing.length > 0 && c.onSchemaChange === 'fail') {
    const alter = added.map((a) => `ADD COLUMN ${quoteIdent(a.name)} ${a.type}`).join(', ');
    throw nonRetryable(
      `target table ${c.targetLabel} has no column ${missing.map((s) => JSON.stringify(s.name)).join(', ')} that source ${c.sourceLabel} returns: add ${missing.length > 1 ? 'them' : 'it'} (ALTER TABLE ${c.targetLabel} ${alter}), set onSchemaChange: addColumns to let ferry add ${missing.length > 1 ? 'them' : 'it'}, or select fewer columns with source.query`,
      FailureType.columnMismatch,
    );
  }
  const sourceNames = new Set(c.source.map((s) => s.name));
  const removed = (c.previouslyLoaded ?? []).filter((n) => !sourceNames.has(n) && byName.has(n));
  if (removed.length > 0) {
    throw nonRetryable(
      `source ${c.sourceLabel} no longer has column ${removed.map((n) => JSON.stringify(n)).join(', ')}, which the previous run loaded into ${c.targetLabel}; ferry never drops target columns: drop ${removed.length > 1 ? 'them' : 'it'} from the target yourself (ALTER TABLE ${c.targetLabel} ${removed.map((n) => `DROP COLUMN ${quoteIdent(n)}`).join(', ')}) if the removal is meant, or restore ${removed.length > 1 ? 'them' : 'it'} in the source`,
      FailureType.columnMismatch,
    );
  }
  const present = c.source.filter((s) => byName.has(s.name));
  const generated = present.filter((s) => byName.get(s.name)!.generated);
  if (generated.length > 0) {
    throw nonRetryable(
      `target column ${generated.map((s) => JSON.stringify(s.name)).join(', ')} of ${c.targetLabel} is generated and cannot be loaded: leave it out with source.query`,
      FailureType.columnMismatch,
    );
  }
  const mismatches = present.map((s) => checkColumnType(s.name, s.type, byName.get(s.name)!.type)).filter((m): m is TypeMismatch => m !== undefined);
  if (mismatches.length > 0) throw typeMismatchFailure(mismatches, c.sourceLabel, c.targetLabel);
  return c.onSchemaChange === 'addColumns' ? added : [];
}

function typeMismatchFailure(mismatches: TypeMismatch[], sourceLabel: string, targetLabel: string): Error {
  const each = mismatches.map((m) => `column ${JSON.stringify(m.column)} is ${m.source} in the source and ${m.target} in the target (${m.reason})`);
  const alter = mismatches.map((m) => `ALTER COLUMN ${quoteIdent(m.column)} TYPE ${m.mapped}`).join(', ');
  const plural = mismatches.length > 1 ? 's' : '';
  return nonRetryable(
    `target table ${targetLabel} cannot hold the values of source ${sourceLabel} unchanged: ${each.join('; ')}. Fix: change the target column${plural} (ALTER TABLE ${targetLabel} ${alter}), or convert the value${plural} in source.query`,
    FailureType.typeMismatch,
  );
}

/** The target's primary key columns, in key order. */
export async function primaryKeyOf(client: Client, table: QualifiedName): Promise<string[]> {
  const res = await client.query<{ attname: string }>(
    `SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = to_regclass($1) AND i.indisprimary ORDER BY k.n`,
    [quoteQualified(table)],
  );
  return res.rows.map((r) => r.attname);
}
