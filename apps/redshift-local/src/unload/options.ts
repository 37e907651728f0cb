import type { OptionValue, UnloadStatement } from './parse';

export type Compression = 'none' | 'gzip' | 'bzip2' | 'zstd';

export type Authorization = { kind: 'role'; role: string } | { kind: 'keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** The validated options of one UNLOAD, with Redshift's defaults filled in. */
export interface UnloadOptions {
  format: 'text' | 'csv' | 'fixedwidth';
  /** FIXEDWIDTH: `label:width` per column, in column order. */
  fixedWidths?: { label: string; width: number }[];
  delimiter: string;
  nullString: string;
  header: boolean;
  escape: boolean;
  addQuotes: boolean;
  manifest: 'none' | 'plain' | 'verbose';
  compression: Compression;
  parallel: boolean;
  maxFileSizeBytes: number;
  allowOverwrite: boolean;
  cleanPath: boolean;
  extension?: string;
  auth: Authorization;
}

/** An UNLOAD the statement's options rule out; `code` is the SQLSTATE returned to the client. */
export class UnloadOptionError extends Error {
  constructor(
    message: string,
    readonly code = '22023',
  ) {
    super(message);
  }
}

const MB = 1024 * 1024;

// "You can't use X with Y", as AWS's reference ("UNLOAD" page, Parameters) lists them.
export const CONFLICTS: [string, string[]][] = [
  ['FORMAT=CSV', ['FIXEDWIDTH']],
  ['FORMAT=PARQUET', ['DELIMITER', 'FIXEDWIDTH', 'ADDQUOTES', 'ESCAPE', 'NULL', 'HEADER', 'GZIP', 'BZIP2', 'ZSTD']],
  ['FORMAT=JSON', ['DELIMITER', 'HEADER', 'FIXEDWIDTH', 'ADDQUOTES', 'ESCAPE', 'NULL']],
  ['FIXEDWIDTH', ['DELIMITER', 'HEADER']],
  ['ALLOWOVERWRITE', ['CLEANPATH']],
  ['IAM_ROLE', ['ACCESS_KEY_ID', 'SECRET_ACCESS_KEY', 'SESSION_TOKEN', 'CREDENTIALS']],
  ['CREDENTIALS', ['ACCESS_KEY_ID', 'SECRET_ACCESS_KEY', 'SESSION_TOKEN', 'KMS_KEY_ID', 'MASTER_SYMMETRIC_KEY']],
  ['ENCRYPTED=AUTO', ['KMS_KEY_ID', 'MASTER_SYMMETRIC_KEY']],
  ['GZIP', ['BZIP2', 'ZSTD']],
  ['BZIP2', ['ZSTD']],
];

// "If you specify X, you must specify Y also" (same page).
export const REQUIREMENTS: [string, string][] = [
  ['KMS_KEY_ID', 'ENCRYPTED'],
  ['MASTER_SYMMETRIC_KEY', 'ENCRYPTED'],
  ['ROWGROUPSIZE', 'FORMAT=PARQUET'],
];

// Options redshift-local parses and checks but cannot carry out. (ENCRYPTED AUTO is carried
// out: with no KMS key on the bucket, AWS falls back to S3's default encryption.)
const UNSUPPORTED = ['FORMAT=PARQUET', 'FORMAT=JSON', 'PARTITION BY', 'ENCRYPTED=true', 'KMS_KEY_ID', 'MASTER_SYMMETRIC_KEY', 'ROWGROUPSIZE'];

export function validateOptions(statement: UnloadStatement): UnloadOptions {
  const o = statement.options;
  const has = (name: string) => {
    const [key, value] = name.split('=');
    return value === undefined ? o.has(key) : String(o.get(key)) === value;
  };
  const label = (name: string) =>
    name
      .replace('FORMAT=', '')
      .replace('ENCRYPTED=AUTO', 'ENCRYPTED AUTO')
      .replace('ENCRYPTED=true', 'ENCRYPTED')
      .replace(/^NULL$/, 'NULL AS');
  for (const [a, others] of CONFLICTS) {
    for (const b of others) {
      if (has(a) && has(b)) throw new UnloadOptionError(`UNLOAD: you can't use ${label(a)} with ${label(b)}`);
    }
  }
  if (has('ENCRYPTED=AUTO') && /master_symmetric_key/i.test(str(o.get('CREDENTIALS')) ?? '')) {
    throw new UnloadOptionError("UNLOAD: you can't use ENCRYPTED AUTO with CREDENTIALS that contain master_symmetric_key");
  }
  for (const [option, needs] of REQUIREMENTS) {
    if (has(option) && !has(needs)) throw new UnloadOptionError(`UNLOAD: ${label(option)} requires ${label(needs)}`);
  }
  for (const name of UNSUPPORTED) {
    if (has(name)) throw new UnloadOptionError(`redshift-local does not support UNLOAD with ${label(name)}`, '0A000');
  }
  if (!statement.to.startsWith('s3://')) throw new UnloadOptionError(`UNLOAD destination must be an Amazon S3 path (s3://bucket/prefix): ${statement.to}`);

  const format = has('FORMAT=CSV') ? 'csv' : has('FIXEDWIDTH') ? 'fixedwidth' : 'text';
  const delimiter = str(o.get('DELIMITER')) ?? (format === 'csv' ? ',' : '|');
  if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 127)
    throw new UnloadOptionError(`UNLOAD: DELIMITER must be a single ASCII character, not ${JSON.stringify(delimiter)}`);

  const maxMb = o.has('MAXFILESIZE') ? Number(o.get('MAXFILESIZE')) : 6.2 * 1024;
  if (maxMb < 5 || maxMb > 6.2 * 1024) throw new UnloadOptionError('UNLOAD: MAXFILESIZE must be between 5 MB and 6.2 GB');

  return {
    format,
    fixedWidths: format === 'fixedwidth' ? fixedWidthSpec(String(o.get('FIXEDWIDTH'))) : undefined,
    delimiter,
    nullString: str(o.get('NULL')) ?? '',
    header: has('HEADER'),
    escape: has('ESCAPE'),
    addQuotes: has('ADDQUOTES'),
    manifest: o.get('MANIFEST') === 'VERBOSE' ? 'verbose' : has('MANIFEST') ? 'plain' : 'none',
    compression: has('GZIP') ? 'gzip' : has('BZIP2') ? 'bzip2' : has('ZSTD') ? 'zstd' : 'none',
    parallel: o.get('PARALLEL') !== 'OFF',
    maxFileSizeBytes: Math.floor(maxMb * MB),
    allowOverwrite: has('ALLOWOVERWRITE'),
    cleanPath: has('CLEANPATH'),
    extension: str(o.get('EXTENSION')),
    auth: authorization(o),
  };
}

/** `'colID1:colWidth1,colID2:colWidth2, ...'` (AWS), one entry per column, in order. */
function fixedWidthSpec(spec: string): { label: string; width: number }[] {
  return spec.split(',').map((entry) => {
    const colon = entry.lastIndexOf(':');
    const width = Number(entry.slice(colon + 1).trim());
    if (colon < 1 || !Number.isInteger(width) || width < 1) {
      throw new UnloadOptionError(`UNLOAD: invalid FIXEDWIDTH specification ${JSON.stringify(spec)}: expected 'colID1:colWidth1,colID2:colWidth2,…'`);
    }
    return { label: entry.slice(0, colon).trim(), width };
  });
}

function str(v: OptionValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** COPY's authorization forms: IAM_ROLE, ACCESS_KEY_ID/SECRET_ACCESS_KEY, or a CREDENTIALS string. */
function authorization(o: Map<string, OptionValue>): Authorization {
  if (o.has('IAM_ROLE')) return { kind: 'role', role: String(o.get('IAM_ROLE')) };
  if (o.has('ACCESS_KEY_ID') || o.has('SECRET_ACCESS_KEY')) {
    if (!o.has('ACCESS_KEY_ID') || !o.has('SECRET_ACCESS_KEY')) throw new UnloadOptionError('UNLOAD: ACCESS_KEY_ID and SECRET_ACCESS_KEY go together');
    return {
      kind: 'keys',
      accessKeyId: String(o.get('ACCESS_KEY_ID')),
      secretAccessKey: String(o.get('SECRET_ACCESS_KEY')),
      sessionToken: str(o.get('SESSION_TOKEN')),
    };
  }
  const credentials = str(o.get('CREDENTIALS'));
  if (credentials !== undefined) {
    const parts = new Map(
      credentials
        .split(';')
        .filter(Boolean)
        .map((kv) => {
          const eq = kv.indexOf('=');
          return [kv.slice(0, eq).trim().toLowerCase(), kv.slice(eq + 1).trim()] as [string, string];
        }),
    );
    if (parts.has('aws_iam_role')) return { kind: 'role', role: parts.get('aws_iam_role')! };
    if (parts.has('aws_access_key_id') && parts.has('aws_secret_access_key')) {
      return {
        kind: 'keys',
        accessKeyId: parts.get('aws_access_key_id')!,
        secretAccessKey: parts.get('aws_secret_access_key')!,
        sessionToken: parts.get('token'),
      };
    }
    throw new UnloadOptionError("UNLOAD: CREDENTIALS must be 'aws_iam_role=arn…' or 'aws_access_key_id=…;aws_secret_access_key=…'");
  }
  throw new UnloadOptionError('UNLOAD needs authorization: IAM_ROLE, ACCESS_KEY_ID and SECRET_ACCESS_KEY, or CREDENTIALS', '42601');
}
