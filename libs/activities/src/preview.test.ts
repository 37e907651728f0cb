import { localStackConfig } from '@ferry/config';
import { previewTransfer } from './preview';

const input = {
  source: { connection: 'redshift', table: 'public.events' },
  target: { connection: 'postgres', table: 'public.events', mode: 'upsert' as const, key: ['id'] },
  unload: { compression: 'gzip' as const, maxFileSizeMb: 64, parallel: true },
  s3: {},
  incremental: { column: 'updated_at' },
};

describe('previewTransfer', () => {
  it('shows the UNLOAD with the incremental condition and where the parts load', () => {
    const p = previewTransfer(localStackConfig({}), input);
    expect(p).toMatchObject({ source: 'public.events', target: 'public.events', staging: 'ferry_staging.public__events', loadMethod: 'copy' });
    expect(p.unloadStatement).toBe(
      `UNLOAD ($$SELECT * FROM "public"."events" WHERE "updated_at" >= <max("updated_at") of "public"."events" when the run starts>$$) TO 's3://ferry-staging/ferry/public.events/<run-id>/attempt-1/' IAM_ROLE 'arn:aws:iam::000000000000:role/ferry-local-unload' DELIMITER AS '|' NULL AS '\\\\N' ESCAPE GZIP MANIFEST VERBOSE MAXFILESIZE 64 MB PARALLEL ON`,
    );
  });

  it('refuses what prepare would refuse: ZSTD parts with aws_s3', () => {
    expect(() => previewTransfer(localStackConfig({}), { ...input, loadMethod: 'aws_s3', unload: { ...input.unload, compression: 'zstd' } })).toThrow(
      'unload.compression "zstd" cannot be loaded with load.method "aws_s3"',
    );
  });
});
