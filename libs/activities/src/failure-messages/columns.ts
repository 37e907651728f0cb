import { quoteIdent } from '@ferry/sql';
import type { TypeMismatch } from '@ferry/type-map';
import { FailureType, nonRetryable } from '../failures';

// Why a target's columns cannot take the source's, each with the ALTER TABLE that fixes it.

const them = (n: number) => (n > 1 ? 'them' : 'it');

export function missingColumnsFailure(targetLabel: string, sourceLabel: string, missing: { name: string; type: string }[]) {
  const alter = missing.map((a) => `ADD COLUMN ${quoteIdent(a.name)} ${a.type}`).join(', ');
  return nonRetryable(
    `target table ${targetLabel} has no column ${missing.map((s) => JSON.stringify(s.name)).join(', ')} that source ${sourceLabel} returns: add ${them(missing.length)} (ALTER TABLE ${targetLabel} ${alter}), set onSchemaChange: addColumns to let ferry add ${them(missing.length)}, or select fewer columns with source.query`,
    FailureType.columnMismatch,
  );
}

export function removedColumnsFailure(targetLabel: string, sourceLabel: string, removed: string[]) {
  return nonRetryable(
    `source ${sourceLabel} no longer has column ${removed.map((n) => JSON.stringify(n)).join(', ')}, which the previous run loaded into ${targetLabel}; ferry never drops target columns: drop ${them(removed.length)} from the target yourself (ALTER TABLE ${targetLabel} ${removed.map((n) => `DROP COLUMN ${quoteIdent(n)}`).join(', ')}) if the removal is meant, or restore ${them(removed.length)} in the source`,
    FailureType.columnMismatch,
  );
}

export function generatedColumnsFailure(targetLabel: string, generated: string[]) {
  return nonRetryable(
    `target column ${generated.map((n) => JSON.stringify(n)).join(', ')} of ${targetLabel} is generated and cannot be loaded: leave it out with source.query`,
    FailureType.columnMismatch,
  );
}

export function typeMismatchFailure(mismatches: TypeMismatch[], sourceLabel: string, targetLabel: string) {
  const each = mismatches.map((m) => `column ${JSON.stringify(m.column)} is ${m.source} in the source and ${m.target} in the target (${m.reason})`);
  const alter = mismatches.map((m) => `ALTER COLUMN ${quoteIdent(m.column)} TYPE ${m.mapped}`).join(', ');
  const plural = mismatches.length > 1 ? 's' : '';
  return nonRetryable(
    `target table ${targetLabel} cannot hold the values of source ${sourceLabel} unchanged: ${each.join('; ')}. Fix: change the target column${plural} (ALTER TABLE ${targetLabel} ${alter}), or convert the value${plural} in source.query`,
    FailureType.typeMismatch,
  );
}
