import { copyFormat, type ResolvedLoad } from '@ferry/contract';
import { quoteIdent, quoteLiteral, quoteQualified, run, statement, type Session, type Statement } from '@ferry/sql';

// How a part's text gets into staging: COPY reading what the worker streams, or RDS's aws_s3
// extension pulling the object from S3 itself. Both read the format UNLOAD wrote.

type Into = Pick<ResolvedLoad, 'staging' | 'columns'>;

const columnList = (load: Into) => load.columns.map(quoteIdent).join(', ');

/** COPY's options for the unloaded text format; aws_s3 takes the same string. */
const copyOptions = () => `(FORMAT text, DELIMITER ${quoteLiteral(copyFormat.delimiter)}, NULL ${quoteLiteral(copyFormat.nullString)})`;

/** The COPY that reads a part streamed by the worker (pg-copy-streams sends its text as is, without parameters). */
export function copyFromStdin(load: Into): string {
  return `COPY ${quoteQualified(load.staging)} (${columnList(load)}) FROM STDIN WITH ${copyOptions()}`;
}

/** The object and the database's own keys for it (none when its IAM role grants the bucket). */
export interface S3Object {
  bucket: string;
  key: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

/** `aws_s3.table_import_from_s3`, answering `N rows imported into relation …`; every value, keys included, a parameter. */
export function awsS3Import(load: Into, object: S3Object): Statement {
  const args = [quoteQualified(load.staging), columnList(load), copyOptions(), object.bucket, object.key, object.region];
  const c = object.credentials;
  return c
    ? statement(
        `SELECT aws_s3.table_import_from_s3($1, $2, $3, aws_commons.create_s3_uri($4, $5, $6), aws_commons.create_aws_credentials($7, $8, $9)) AS result`,
        [...args, c.accessKeyId, c.secretAccessKey, c.sessionToken],
      )
    : statement(`SELECT aws_s3.table_import_from_s3($1, $2, $3, aws_commons.create_s3_uri($4, $5, $6)) AS result`, args);
}

export async function importFromS3(session: Session, load: Into, object: S3Object): Promise<string> {
  return (await run<{ result: string }>(session, awsS3Import(load, object))).rows[0].result;
}

/** Whether the database's encoding can hold a text: a character it cannot fails with 22P05. */
export async function canHoldText(session: Session, value: string): Promise<boolean> {
  return run(session, statement('SELECT $1::text AS v', [value])).then(
    () => true,
    (err: { code?: string }) => {
      if (err.code === '22P05') return false;
      throw err;
    },
  );
}

export async function serverEncoding(session: Session): Promise<string | undefined> {
  return (await run<{ encoding: string }>(session, statement(`SELECT current_setting('server_encoding') AS encoding`))).rows[0]?.encoding;
}
