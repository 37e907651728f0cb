import type { TargetColumn } from '@ferry/postgres';
import { checkColumnType, redshiftType, type TypeMismatch } from '@ferry/type-map';
import { generatedColumnsFailure, missingColumnsFailure, removedColumnsFailure, typeMismatchFailure } from './failure-messages/columns';
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
  if (missing.length > 0 && c.onSchemaChange === 'fail') throw missingColumnsFailure(c.targetLabel, c.sourceLabel, added);
  const sourceNames = new Set(c.source.map((s) => s.name));
  const removed = (c.previouslyLoaded ?? []).filter((n) => !sourceNames.has(n) && byName.has(n));
  if (removed.length > 0) throw removedColumnsFailure(c.targetLabel, c.sourceLabel, removed);
  const present = c.source.filter((s) => byName.has(s.name));
  const generated = present.filter((s) => byName.get(s.name)!.generated);
  if (generated.length > 0)
    throw generatedColumnsFailure(
      c.targetLabel,
      generated.map((s) => s.name),
    );
  const mismatches = present.map((s) => checkColumnType(s.name, s.type, byName.get(s.name)!.type)).filter((m): m is TypeMismatch => m !== undefined);
  if (mismatches.length > 0) throw typeMismatchFailure(mismatches, c.sourceLabel, c.targetLabel);
  return c.onSchemaChange === 'addColumns' ? added : [];
}
