import { parseUnload } from './parse';
import { isUnload, tokenize } from './tokenize';

describe('parseUnload', () => {
  it('reads the query, destination and options, case-insensitively', () => {
    const s = parseUnload(
      `unload ('select * from venue where state = ''NV''') to 's3://b/venue_' iam_role 'arn:aws:iam::1:role/r' Format As CSV header delimiter as ';' null as 'NULL' maxfilesize 5 gb parallel off manifest verbose gzip;`,
    );
    expect(s.query).toBe("select * from venue where state = 'NV'");
    expect(s.to).toBe('s3://b/venue_');
    expect(Object.fromEntries(s.options)).toEqual({
      IAM_ROLE: 'arn:aws:iam::1:role/r',
      FORMAT: 'CSV',
      HEADER: true,
      DELIMITER: ';',
      NULL: 'NULL',
      MAXFILESIZE: 5 * 1024,
      PARALLEL: 'OFF',
      MANIFEST: 'VERBOSE',
      GZIP: true,
    });
  });

  it('takes dollar-quoted queries verbatim and Redshift backslash escapes in strings', () => {
    const s = parseUnload(`UNLOAD ($tag$select '$$' as x, 'a\\b'$tag$) TO 's3://b/p/' IAM_ROLE default NULL AS '\\\\N' DELIMITER '\\t'`);
    expect(s.query).toBe(`select '$$' as x, 'a\\b'`);
    expect(s.options.get('NULL')).toBe('\\N');
    expect(s.options.get('DELIMITER')).toBe('\t');
    expect(s.options.get('IAM_ROLE')).toBe('default');
  });

  it('knows every authorization form', () => {
    expect(parseUnload(`unload ('select 1') to 's3://b/' with credentials as 'aws_iam_role=arn'`).options.get('CREDENTIALS')).toBe('aws_iam_role=arn');
    const keys = parseUnload(`unload ('select 1') to 's3://b/' access_key_id 'AK' secret_access_key 'SK' session_token 'T'`).options;
    expect(Object.fromEntries(keys)).toEqual({ ACCESS_KEY_ID: 'AK', SECRET_ACCESS_KEY: 'SK', SESSION_TOKEN: 'T' });
  });

  it('rejects what is not an UNLOAD, saying where', () => {
    expect(() => parseUnload(`unload ('select 1') to 's3://b/' bogus`)).toThrow('syntax error at or near "BOGUS"');
    expect(() => parseUnload(`unload ('select 1`)).toThrow('unterminated quoted string');
    expect(() => parseUnload(`unload ('select 1') to 's3://b/' gzip gzip`)).toThrow('conflicting or redundant options: GZIP is given twice');
    expect(() => parseUnload(`unload ('select 1')`)).toThrow('syntax error at end of input');
  });

  it('skips comments and finds UNLOAD behind them', () => {
    expect(isUnload('-- nightly\n/* x */ UNLOAD (...)')).toBe(true);
    expect(isUnload('select 1 -- unload')).toBe(false);
    expect(tokenize(`unload /* c */ ('x') -- y\n to`).map((t) => t.value)).toEqual(['UNLOAD', '(', 'x', ')', 'TO']);
  });
});
