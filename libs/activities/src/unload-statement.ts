import { dollarQuote, quoteRedshiftLiteral } from '@ferry/sql';
import { copyFormat } from './copy-format';
import type { Compression } from '@ferry/contract';

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
 * final verification rely on.
 */
export function buildUnloadStatement(o: UnloadStatementInput): string {
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
  return `UNLOAD (${dollarQuote(o.select)}) TO ${quoteRedshiftLiteral(o.url)} ${options.join(' ')}`;
}
