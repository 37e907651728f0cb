import type { DiscoverInput, TransferPlan } from '@ferry/contract';
import { displayName } from '@ferry/sql';
import { connectionLabel, type Named, type RedshiftConnection } from '@ferry/config';
import { FailureType, nonRetryable } from '../failures';

// Why the source cannot be read or unloaded as asked; each is one a retry cannot fix.

export function repeatedColumnFailure(name: string) {
  return nonRetryable(`source query returns the column ${JSON.stringify(name)} twice: give each column its own name (AS alias)`, FailureType.badQuery);
}

export function unknownTypeFailure(sourceLabel: string, unknown: { name: string; oid: number }[]) {
  return nonRetryable(
    `source ${sourceLabel} returns ${unknown.map((f) => `column ${JSON.stringify(f.name)} of type oid ${f.oid}`).join(', ')}, which is not a Redshift type ferry knows how to move exactly: cast it in source.query to one of the types in docs/types.md`,
    FailureType.typeMismatch,
  );
}

export function missingSourceTableFailure(sourceLabel: string, connection: string) {
  return nonRetryable(
    `source table ${sourceLabel} does not exist on connection ${JSON.stringify(connection)}: check source.table (schema.table)`,
    FailureType.missingSource,
  );
}

export function invalidQueryFailure(connection: string, err: Error) {
  return nonRetryable(`source.query is not a valid query on connection ${JSON.stringify(connection)}: ${err.message}`, FailureType.badQuery);
}

export function missingSchemaFailure(entry: DiscoverInput['entries'][number]) {
  return nonRetryable(
    `source schema ${JSON.stringify(entry.schema)} of pipeline entry ${JSON.stringify(entry.name)} does not exist on connection ${JSON.stringify(entry.connection)}: check source.schema`,
    FailureType.missingSource,
  );
}

/** AWS refused a Redshift Data API call to the worker's identity: its IAM policy lacks the action, or the statement is another identity's. */
export function dataApiDeniedFailure(connection: Named<RedshiftConnection>, err: Error) {
  return nonRetryable(
    `the Redshift Data API refused the worker on ${connectionLabel(connection)}: ${err.message}. Give the worker's role the redshift-data permissions in docs/iam.md section 5, and the login its user or secret needs (section 4)`,
    FailureType.databaseAuth,
  );
}

export function unloadS3AccessFailure(plan: TransferPlan, err: Error) {
  return nonRetryable(
    `UNLOAD could not write under s3://${plan.s3.bucket}/${plan.s3.prefix}: ${err.message}. Check the source connection's iamRole and the bucket (docs/iam.md lists the permissions UNLOAD needs)`,
    FailureType.s3Access,
  );
}

export function unloadRefusedFailure(plan: TransferPlan, statement: string, code: string, err: Error) {
  return nonRetryable(
    `${statement} of ${plan.source.label} failed on the source (SQLSTATE ${code}): ${err.message}. Check source.table or source.query, and the source connection's permissions`,
    FailureType.badQuery,
  );
}

/** The target refused its half of a sync's comparison (a permission, an encoding): every retry would be refused the same way. */
export function syncTargetRefused(plan: TransferPlan, code: string, err: Error) {
  return nonRetryable(
    `the comparison of segments failed on the target ${displayName(plan.target.table)} (SQLSTATE ${code}): ${err.message}. Check the target connection's permissions on the table and on the staging schema`,
    FailureType.badQuery,
  );
}

/** The two sides sorted their segments differently: a comparison would be wrong. */
export function segmentsOutOfOrder(plan: TransferPlan, err: Error) {
  return nonRetryable(
    `the sync of ${displayName(plan.target.table)} cannot compare segments: ${err.message}. ferry needs both databases to sort hex text by code point (the C collation's order)`,
    FailureType.verification,
  );
}
