import { ApplicationFailure } from '@temporalio/activity';
import type { KeyValue, ResolvedLoad, TransferPlan, VerifyReport } from '@ferry/contract';
import { displayName, type QualifiedName } from '@ferry/sql';
import { FailureType, nonRetryable } from '../failures';
import { describeReport } from '../verify/report';

// Why a comparison could not run, and the checksum gate's refusal with its report.

export function checksumMismatch(plan: TransferPlan, report: VerifyReport) {
  return ApplicationFailure.create({
    type: FailureType.verification,
    nonRetryable: true,
    message: `the staged rows of ${displayName(plan.target.table)} do not match the source's checksum; the target was not changed and staging table ${displayName(plan.target.staging)} is kept for inspection:\n${describeReport({ ...report, equal: false }).join('\n')}`,
    details: [report],
  });
}

export function verifyTargetMissing(table: QualifiedName, connection: string) {
  return nonRetryable(`target table ${displayName(table)} does not exist (connection ${JSON.stringify(connection)})`, FailureType.missingTarget);
}

export function unusableVerifyKey(unusable: string[], sourceLabel: string, table: QualifiedName) {
  return nonRetryable(
    `verify key ${unusable.map((k) => JSON.stringify(k)).join(', ')} is not a column both ${sourceLabel} and ${displayName(table)} have with a comparable type (docs/verification.md): name other key columns`,
    FailureType.invalidInput,
  );
}

/**
 * A row COPY refused because its values do not hash to what the source computed for it in the
 * UNLOAD: the load stops at the first such row, so the report names that one and says more may differ.
 */
export function rowHashRefused(load: ResolvedLoad, part: string, line: number | undefined, key: { column: string; value: string | null }[] | undefined) {
  const keyValue: KeyValue | undefined = key && Object.fromEntries(key.map((k) => [k.column, k.value]));
  const where = `${part}${line === undefined ? '' : `, line ${line}`}`;
  const row = keyValue
    ? Object.entries(keyValue)
        .map(([k, v]) => `${k}=${v === null ? 'NULL' : v}`)
        .join(', ')
    : `the row at ${where}`;
  return ApplicationFailure.create({
    type: FailureType.verification,
    nonRetryable: true,
    message:
      `a staged row of ${displayName(load.table)} does not match the source's checksum: ${row} (${where}) does not hash to what the source computed for it in the UNLOAD, ` +
      `so a value changed between the source and staging; the target was not changed and staging table ${displayName(load.staging)} is kept for inspection ` +
      `(ferry verify lists every differing row and column; docs/verification.md)`,
    details: [{ changed: keyValue ? [{ key: keyValue, columns: [] }] : [], truncated: true, unlocated: !keyValue, part, ...(line !== undefined && { line }) }],
  });
}
