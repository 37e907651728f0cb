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

export function syncWithoutKey(targetLabel: string) {
  return nonRetryable(
    `mode sync locates rows by a key, and ${targetLabel} has no primary key: give target.key (columns that identify a row), or add a primary key to the target`,
    FailureType.invalidInput,
  );
}

export function syncOverDataApi(connection: string) {
  return nonRetryable(
    `mode sync compares the source with the target inside the UNLOAD's own transaction, reading results between its statements, which the Redshift Data API cannot do (a batch's results are read only after it ends): connection ${JSON.stringify(connection)} uses transport data-api; sync through a connection with transport wire to the same cluster, or use mode replace or upsert`,
    FailureType.invalidInput,
  );
}

export function syncKeyNullable(columns: string[], targetLabel: string) {
  return nonRetryable(
    `mode sync matches rows on target.key, but ${columns.map((c) => JSON.stringify(c)).join(', ')} of ${targetLabel} may hold NULL, which matches no row: make ${columns.length > 1 ? 'them' : 'it'} NOT NULL (ALTER TABLE ${targetLabel} ALTER COLUMN … SET NOT NULL), or key on the primary key`,
    FailureType.invalidInput,
  );
}

export function syncKeyNotComparable(key: string[], targetLabel: string) {
  return nonRetryable(
    `mode sync locates rows by the md5 of their key, and ${key.map((c) => JSON.stringify(c)).join(', ')} of ${targetLabel} has a type ferry cannot compare value by value (docs/verification.md): key on other columns`,
    FailureType.invalidInput,
  );
}

export function syncKeyNotUnique(key: string[], targetLabel: string) {
  return nonRetryable(
    `mode sync matches each row by target.key (${key.map((c) => JSON.stringify(c)).join(', ')}), but no unique index or primary key of ${targetLabel} makes it unique: add one (CREATE UNIQUE INDEX ON ${targetLabel} (${key.join(', ')})), or key on the primary key`,
    FailureType.invalidInput,
  );
}
