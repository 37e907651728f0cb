import { buildUnloadStatement } from './unload-statement';

describe('buildUnloadStatement', () => {
  const base = {
    select: `SELECT "id", "name" FROM "public"."t" WHERE note = 'x'`,
    url: 's3://bucket/ferry/public.t/run-1/',
    iamRole: 'arn:aws:iam::123456789012:role/unload',
    compression: 'gzip' as const,
    maxFileSizeMb: 64,
    parallel: true,
  };

  it('writes the options that round-trip exactly, dollar-quoting the query', () => {
    expect(buildUnloadStatement(base)).toBe(
      `UNLOAD ($$SELECT "id", "name" FROM "public"."t" WHERE note = 'x'$$) TO 's3://bucket/ferry/public.t/run-1/' ` +
        `IAM_ROLE 'arn:aws:iam::123456789012:role/unload' DELIMITER AS '|' NULL AS '\\\\N' ESCAPE GZIP MANIFEST VERBOSE MAXFILESIZE 64 MB PARALLEL ON`,
    );
  });

  it('leaves out GZIP for uncompressed parts and honours PARALLEL OFF', () => {
    const sql = buildUnloadStatement({ ...base, compression: 'none', parallel: false });
    expect(sql).not.toContain('GZIP');
    expect(sql).toContain('PARALLEL OFF');
  });

  it('escapes quotes in the S3 URL and role', () => {
    expect(buildUnloadStatement({ ...base, url: "s3://b/it's/" })).toContain(`TO 's3://b/it''s/'`);
  });
});
