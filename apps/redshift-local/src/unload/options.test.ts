import { validateOptions } from './options';
import { parseUnload } from './parse';

const options = (opts: string) => validateOptions(parseUnload(`unload ('select 1') to 's3://b/p/' ${opts}`));

describe('validateOptions', () => {
  it('fills in Redshift defaults', () => {
    expect(options(`iam_role 'arn'`)).toEqual({
      format: 'text',
      fixedWidths: undefined,
      delimiter: '|',
      nullString: '',
      header: false,
      escape: false,
      addQuotes: false,
      manifest: 'none',
      compression: 'none',
      parallel: true,
      maxFileSizeBytes: Math.floor(6.2 * 1024 * 1024 * 1024),
      allowOverwrite: false,
      cleanPath: false,
      extension: undefined,
      auth: { kind: 'role', role: 'arn' },
    });
    expect(options(`iam_role 'arn' csv`).delimiter).toBe(',');
  });

  it.each([
    [`csv fixedwidth '0:3'`, "you can't use CSV with FIXEDWIDTH"],
    [`parquet gzip`, "you can't use PARQUET with GZIP"],
    [`json header`, "you can't use JSON with HEADER"],
    [`fixedwidth '0:3' delimiter ','`, "you can't use FIXEDWIDTH with DELIMITER"],
    [`fixedwidth '0:3' header`, "you can't use FIXEDWIDTH with HEADER"],
    [`allowoverwrite cleanpath`, "you can't use ALLOWOVERWRITE with CLEANPATH"],
    [`gzip zstd`, "you can't use GZIP with ZSTD"],
    [`bzip2 zstd`, "you can't use BZIP2 with ZSTD"],
    [`access_key_id 'a' secret_access_key 'b'`, "you can't use IAM_ROLE with ACCESS_KEY_ID"],
    [`kms_key_id 'k'`, 'KMS_KEY_ID requires ENCRYPTED'],
    [`master_symmetric_key 'm'`, 'MASTER_SYMMETRIC_KEY requires ENCRYPTED'],
    [`rowgroupsize 64 mb`, 'ROWGROUPSIZE requires PARQUET'],
    [`encrypted auto kms_key_id 'k'`, "you can't use ENCRYPTED AUTO with KMS_KEY_ID"],
    [`csv fixedwidth 'a:1'`, "you can't use CSV with FIXEDWIDTH"],
    [`json null as 'x'`, "you can't use JSON with NULL AS"],
  ])('refuses %s', (opts, message) => {
    expect(() => options(`iam_role 'arn' ${opts}`)).toThrow(`UNLOAD: ${message}`);
  });

  it('checks values', () => {
    expect(() => options(`iam_role 'arn' maxfilesize 4 mb`)).toThrow('MAXFILESIZE must be between 5 MB and 6.2 GB');
    expect(() => options(`iam_role 'arn' delimiter '||'`)).toThrow('DELIMITER must be a single ASCII character');
    expect(() => options(``)).toThrow('UNLOAD needs authorization');
    expect(() => validateOptions(parseUnload(`unload ('select 1') to 'b/p' iam_role 'arn'`))).toThrow('must be an Amazon S3 path');
  });

  it('says plainly what redshift-local does not do', () => {
    expect(() => options(`iam_role 'arn' parquet`)).toThrow('redshift-local does not support UNLOAD with PARQUET');
    expect(() => options(`iam_role 'arn' partition by (a)`)).toThrow('redshift-local does not support UNLOAD with PARTITION BY');
    expect(() => options(`iam_role 'arn' json`)).toThrow('redshift-local does not support UNLOAD with JSON');
    expect(() => options(`iam_role 'arn' encrypted`)).toThrow('redshift-local does not support UNLOAD with ENCRYPTED');
    expect(options(`iam_role 'arn' encrypted auto`).format).toBe('text');
  });

  it('reads a FIXEDWIDTH specification', () => {
    expect(options(`iam_role 'arn' fixedwidth as 'venueid:3,venuename:39'`)).toMatchObject({
      format: 'fixedwidth',
      fixedWidths: [
        { label: 'venueid', width: 3 },
        { label: 'venuename', width: 39 },
      ],
    });
    expect(() => options(`iam_role 'arn' fixedwidth 'a:0'`)).toThrow('invalid FIXEDWIDTH specification');
  });

  it('reads keys from CREDENTIALS strings', () => {
    expect(options(`credentials 'aws_access_key_id=AK;aws_secret_access_key=SK'`).auth).toEqual({
      kind: 'keys',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      sessionToken: undefined,
    });
    expect(options(`credentials 'aws_iam_role=arn:r'`).auth).toEqual({ kind: 'role', role: 'arn:r' });
  });
});
