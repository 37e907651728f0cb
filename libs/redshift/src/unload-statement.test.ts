import { unloadSessionSettings, unloadStatement } from './unload-statement';

describe('unloadStatement', () => {
  const base = {
    select: `SELECT "id", "name" FROM "public"."t" WHERE note = 'x'`,
    url: 's3://bucket/ferry/public.t/run-1/',
    iamRole: 'arn:aws:iam::123456789012:role/unload',
    compression: 'gzip' as const,
    maxFileSizeMb: 64,
    parallel: true,
  };

  it('writes the options that round-trip exactly, dollar-quoting the query', () => {
    expect(unloadStatement(base)).toEqual({
      text:
        `UNLOAD ($$SELECT "id", "name" FROM "public"."t" WHERE note = 'x'$$) TO 's3://bucket/ferry/public.t/run-1/' ` +
        `IAM_ROLE 'arn:aws:iam::123456789012:role/unload' DELIMITER AS '|' NULL AS '\\\\N' ESCAPE GZIP MANIFEST VERBOSE MAXFILESIZE 64 MB PARALLEL ON`,
    });
  });

  it('leaves out GZIP for uncompressed parts and honours PARALLEL OFF', () => {
    const { text } = unloadStatement({ ...base, compression: 'none', parallel: false });
    expect(text).not.toContain('GZIP');
    expect(text).toContain('PARALLEL OFF');
  });

  it('names the other compressions as UNLOAD spells them', () => {
    expect(unloadStatement({ ...base, compression: 'zstd' }).text).toContain(' ESCAPE ZSTD MANIFEST');
    expect(unloadStatement({ ...base, compression: 'bzip2' }).text).toContain(' ESCAPE BZIP2 MANIFEST');
  });

  it('escapes quotes in the S3 URL and role', () => {
    expect(unloadStatement({ ...base, url: "s3://b/it's/" }).text).toContain(`TO 's3://b/it''s/'`);
  });

  it('sets the float digits that make DOUBLE PRECISION exact before it runs', () => {
    expect(unloadSessionSettings).toEqual([{ text: 'SET extra_float_digits TO 2' }]);
  });
});
