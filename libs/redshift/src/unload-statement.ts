import { dollarQuote, quoteRedshiftLiteral, statement, type Statement } from '@ferry/sql';
import { copyFormat, type Compression } from '@ferry/contract';

export interface UnloadStatementInput {
  select: string;
  /** `s3://bucket/prefix/`: Redshift appends slice and part numbers to it. */
  url: string;
  iamRole: string;
  compression: Compression;
  maxFileSizeMb: number;
  parallel: boolean;
}

/**
 * The UNLOAD ferry runs. Each attempt writes to a folder of its own, so neither
 * ALLOWOVERWRITE nor CLEANPATH is needed (and Redshift's role needs no delete permission);
 * MANIFEST VERBOSE gives each part's byte size and record count, which the loads and the
 * final verification rely on. UNLOAD takes no bind parameters: its query and options are literals.
 */
export function unloadStatement(o: UnloadStatementInput): Statement {
  const options = [
    `IAM_ROLE ${quoteRedshiftLiteral(o.iamRole)}`,
    `DELIMITER AS ${quoteRedshiftLiteral(copyFormat.delimiter)}`,
    `NULL AS ${quoteRedshiftLiteral(copyFormat.nullString)}`,
    'ESCAPE',
    { gzip: 'GZIP', zstd: 'ZSTD', bzip2: 'BZIP2', none: undefined }[o.compression],
    'MANIFEST VERBOSE',
    `MAXFILESIZE ${o.maxFileSizeMb} MB`,
    `PARALLEL ${o.parallel ? 'ON' : 'OFF'}`,
  ].filter(Boolean);
  return statement(`UNLOAD (${dollarQuote(o.select)}) TO ${quoteRedshiftLiteral(o.url)} ${options.join(' ')}`);
}

/**
 * Redshift's default (0) prints floats with 15 significant digits, which loses bits; 2 gives
 * DOUBLE PRECISION all 17 (REAL is unloaded as DOUBLE PRECISION, see the type map).
 */
export const unloadSessionSettings: readonly Statement[] = [statement('SET extra_float_digits TO 2')];
