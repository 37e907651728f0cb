import { ApplicationFailure } from '@temporalio/activity';
import type { TransferPlan, VerifyReport } from '@ferry/contract';
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
