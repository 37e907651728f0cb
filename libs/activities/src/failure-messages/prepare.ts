import type { Compression, LoadMethod } from '@ferry/contract';
import { FailureType, nonRetryable } from '../failures';

// What prepare refuses before anything is unloaded: each names what to change in the input or the target.

export function targetMissing(targetLabel: string, database: string, connection: string) {
  return nonRetryable(
    `target table ${targetLabel} does not exist in database ${JSON.stringify(database)} (connection ${JSON.stringify(connection)}): create it before the transfer, or set target.create: ifMissing to create it from the source`,
    FailureType.missingTarget,
  );
}

export function keyNotLoaded(missing: string[], columns: string[], targetLabel: string) {
  return nonRetryable(
    `target.key column ${missing.map((c) => JSON.stringify(c)).join(', ')} is not among the columns loaded into ${targetLabel} (${columns.join(', ')}): name key columns exactly as the source returns them`,
    FailureType.invalidInput,
  );
}

export function markColumnNotLoaded(column: string, columns: string[], targetLabel: string) {
  return nonRetryable(
    `incremental.column ${JSON.stringify(column)} is not among the columns loaded into ${targetLabel} (${columns.join(', ')}): name a column the source returns`,
    FailureType.invalidInput,
  );
}

export function compressionNotLoadable(compression: Compression, method: LoadMethod) {
  const reader =
    method === 'aws_s3'
      ? "RDS's aws_s3.table_import_from_s3 imports only gzip or uncompressed files"
      : "ferry's copy loader reads only gzip or uncompressed parts";
  return nonRetryable(
    `unload.compression "${compression}" cannot be loaded with load.method "${method}": ${reader}. Choose unload.compression "gzip" (or "none")`,
    FailureType.invalidInput,
  );
}

export function carriedColumnTaken(column: string, sourceLabel: string) {
  return nonRetryable(
    `${sourceLabel} has a column named ${JSON.stringify(column)}, the name the checksum gate carries each row's hash under: rename it in source.query (… AS another_name), or set verify: counts`,
    FailureType.invalidInput,
  );
}
