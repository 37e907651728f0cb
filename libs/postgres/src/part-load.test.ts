import { awsS3Import, canHoldText, copyFromStdin } from './part-load';

const load = { staging: { schema: 'ferry staging', name: 'orders_r1' }, columns: ['id', 'Note "x"'] };

describe("a part's load, as statements", () => {
  it('COPY from the stream, in the text format UNLOAD writes', () => {
    expect(copyFromStdin(load)).toBe(`COPY "ferry staging"."orders_r1" ("id", "Note ""x""") FROM STDIN WITH (FORMAT text, DELIMITER '|', NULL '\\N')`);
  });

  it('aws_s3 gets table, columns, options and the object as parameters, keys only when the database has no role', () => {
    const object = { bucket: 'b', key: 'p/0000_part_00.gz', region: 'eu-west-1' };
    const args = ['"ferry staging"."orders_r1"', `"id", "Note ""x"""`, `(FORMAT text, DELIMITER '|', NULL '\\N')`, 'b', 'p/0000_part_00.gz', 'eu-west-1'];
    expect(awsS3Import(load, object)).toEqual({
      text: 'SELECT aws_s3.table_import_from_s3($1, $2, $3, aws_commons.create_s3_uri($4, $5, $6)) AS result',
      values: args,
    });
    const withKeys = awsS3Import(load, { ...object, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: '' } });
    expect(withKeys.text).toContain('aws_commons.create_aws_credentials($7, $8, $9)');
    expect(withKeys.values).toEqual([...args, 'AK', 'SK', '']);
  });

  it('a text the encoding cannot hold is told from other failures', async () => {
    const failing = (code: string) => ({
      query: async () => {
        throw Object.assign(new Error('no'), { code });
      },
    });
    await expect(canHoldText(failing('22P05'), 'ż')).resolves.toBe(false);
    await expect(canHoldText(failing('57P01'), 'ż')).rejects.toThrow('no');
    await expect(canHoldText({ query: async () => ({ rows: [], rowCount: 1 }) }, 'ż')).resolves.toBe(true);
  });
});
