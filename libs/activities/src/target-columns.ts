import type { TargetColumn } from '@ferry/postgres';
import { quoteIdent } from '@ferry/sql';
import { checkColumnType, redshiftType, type TypeMismatch } from '@ferry/type-map';
import { FailureType, nonRetryable } from './failures';
import type { SourceColumn } from './source-columns';

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
