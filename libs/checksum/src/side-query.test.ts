import { leafRowsStatement, MAX_JOINED_BYTES, rowHash, segmentsStatement, toLeafRows, toSegments, type SideQuery } from './side-query';
import { carriedCheckExpression, carriedHashExpression, carriedMismatchCount, carriedMismatchRows, rowsByKeyStatement } from './carried-hash';

const side = (dialect: SideQuery['dialect'], key = [{ name: 'id', expr: 'ID' }]): SideQuery => ({
  dialect,
  from: '"s"."t"',
  where: 'W',
  key,
  columns: [
    { name: 'id', expr: 'ID', maxBytes: 64 },
    { name: 'note', expr: 'NOTE', freeText: true, maxBytes: 100 },
  ],
});

describe('segment checksums as statements', () => {
  it.each([
    [
      'redshift',
      `SELECT bucket, COUNT(*) AS rows, SUM(CAST(STRTOL(SUBSTRING(h, 1, 15), 16) AS DECIMAL(38,0))) AS sum FROM (SELECT SUBSTRING(MD5(COALESCE(ID, 'N')), 1, 2) AS bucket, MD5(COALESCE(ID, 'N') || '|' || COALESCE(CAST(LENGTH(NOTE) AS VARCHAR) || ':' || NOTE, 'N')) AS h FROM "s"."t" WHERE W) AS ferry_rows GROUP BY bucket`,
    ],
    [
      'postgres',
      `SELECT bucket, COUNT(*) AS rows, SUM(('x' || substring(h, 1, 15))::bit(60)::bigint::numeric) AS sum FROM (SELECT SUBSTRING(md5(convert_to(COALESCE(ID, 'N'), 'UTF8')), 1, 2) AS bucket, md5(convert_to(concat_ws('|', COALESCE(ID, 'N'), COALESCE(CAST(length(convert_to(NOTE, 'UTF8'), 'UTF8') AS VARCHAR) || ':' || NOTE, 'N')), 'UTF8')) AS h FROM "s"."t" WHERE W) AS ferry_rows GROUP BY bucket`,
    ],
  ] as const)('%s: top-level buckets of the key md5, free text length-prefixed, UTF-8 bytes hashed', (dialect, text) => {
    expect(segmentsStatement(side(dialect), 2)).toEqual({ text });
  });

  it('a deeper level is read under its prefix, which is a parameter', () => {
    const s = segmentsStatement(side('postgres'), 3, 'a1');
    expect(s.values).toEqual(['a1']);
    expect(s.text).toContain(`WHERE W AND SUBSTRING(md5(convert_to(COALESCE(ID, 'N'), 'UTF8')), 1, 2) = $1) AS ferry_rows`);
    expect(s.text).toContain(`1, 3) AS bucket`);
  });

  it('without a key the whole table is one bucket', () => {
    expect(segmentsStatement(side('redshift', []), 2).text).toContain(`SELECT SUBSTRING(MD5(''), 1, 0) AS bucket`);
  });

  it("a leaf's rows: key values, the key text, the row hash and each column's hash", () => {
    expect(leafRowsStatement(side('redshift'), 'a1f')).toEqual({
      text: `SELECT ID AS k0, COALESCE(ID, 'N') AS kt, MD5(COALESCE(ID, 'N') || '|' || COALESCE(CAST(LENGTH(NOTE) AS VARCHAR) || ':' || NOTE, 'N')) AS h, COALESCE(MD5(ID), 'N') AS c0, COALESCE(MD5(NOTE), 'N') AS c1 FROM "s"."t" WHERE W AND SUBSTRING(MD5(COALESCE(ID, 'N')), 1, 3) = $1`,
      values: ['a1f'],
    });
  });

  it('rows read back: counts as numbers, an empty bucket sum as 0, columns by name', () => {
    expect(
      toSegments([
        { bucket: 'a1', rows: '3', sum: '123' },
        { bucket: null, rows: '0', sum: null },
      ]),
    ).toEqual({ a1: { rows: 3, sum: '123' }, '': { rows: 0, sum: '0' } });
    expect(toLeafRows(side('postgres'), [{ k0: '7', kt: '7', h: 'ff', c0: 'x', c1: 'y' }])).toEqual([
      { key: { id: '7' }, keyText: '7', hash: 'ff', columns: { id: 'x', note: 'y' } },
    ]);
  });

  it("a row's text stays under Redshift's VARCHAR limit: the longest columns hashed on their own, then groups", () => {
    const col = (name: string, maxBytes?: number) => ({ name, expr: name.toUpperCase(), freeText: true as const, ...(maxBytes !== undefined && { maxBytes }) });
    expect(rowHash({ dialect: 'redshift', columns: [col('a', 10), col('b', 50_000), col('c', 40_000)] })).toBe(
      `MD5(COALESCE(CAST(LENGTH(A) AS VARCHAR) || ':' || A, 'N') || '|' || COALESCE(MD5(B), 'N') || '|' || COALESCE(CAST(LENGTH(C) AS VARCHAR) || ':' || C, 'N'))`,
    );
    // No bound known (GEOMETRY, HLLSKETCH): hashed on its own at once.
    expect(rowHash({ dialect: 'redshift', columns: [col('a', 10), col('g')] })).toContain(`COALESCE(MD5(G), 'N')`);
    // 2,000 short columns cannot share one text: md5s of groups, joined and hashed again.
    const many = Array.from({ length: 2000 }, (_, i) => ({ name: `n${i}`, expr: `N${i}`, maxBytes: 64 }));
    const text = rowHash({ dialect: 'redshift', columns: many });
    expect(text.startsWith('MD5(MD5(COALESCE(N0')).toBe(true);
    expect(text.match(/MD5\(COALESCE\(N/g)!.length).toBe(Math.ceil((2000 * 65) / MAX_JOINED_BYTES));
  });
});

describe('row hashes carried by the UNLOAD', () => {
  it('the source writes the row hash as one more column', () => {
    expect(carriedHashExpression(side('redshift'))).toBe(
      `MD5(COALESCE(ID, 'N') || '|' || COALESCE(CAST(LENGTH(NOTE) AS VARCHAR) || ':' || NOTE, 'N')) AS "ferry_row_hash"`,
    );
  });

  it("staging's CHECK, and the pass that finds the rows when the CHECK is gone, compare it as a uuid", () => {
    const s = { ...side('postgres'), where: undefined };
    const hash = `CAST(md5(convert_to(concat_ws('|', COALESCE(ID, 'N'), COALESCE(CAST(length(convert_to(NOTE, 'UTF8'), 'UTF8') AS VARCHAR) || ':' || NOTE, 'N')), 'UTF8')) AS uuid)`;
    expect(carriedCheckExpression(s)).toBe(`${hash} IS NOT DISTINCT FROM "ferry_row_hash"`);
    expect(carriedMismatchCount(s)).toEqual({ text: `SELECT COUNT(*) AS differing FROM "s"."t" WHERE ${hash} IS DISTINCT FROM "ferry_row_hash"` });
    expect(carriedMismatchRows(s, 20).text).toMatch(/, "ferry_row_hash"::text AS carried FROM "s"."t" WHERE .* LIMIT 20$/);
  });

  it('past 90 texts, PostgreSQL joins them in nested concat_ws calls (a function takes at most 100 arguments)', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ name: `n${i}`, expr: `N${i}`, maxBytes: 64 }));
    const text = rowHash({ dialect: 'postgres', columns: many });
    expect(text.startsWith(`md5(convert_to(concat_ws('|', concat_ws('|', COALESCE(N0, 'N')`)).toBe(true);
    expect(text.match(/concat_ws/g)!.length).toBe(4);
  });

  it('the live source is read by key text, each a parameter', () => {
    expect(rowsByKeyStatement(side('redshift'), ['7', '8'])).toMatchObject({
      text: expect.stringMatching(/ WHERE W AND COALESCE\(ID, 'N'\) IN \(\$1, \$2\)$/),
      values: ['7', '8'],
    });
  });
});
