import { rewriteVersionCalls } from '../version';
import { firstWord, hasOuterLimit, splitStatements, stripTrailingSemicolons } from './scan';

describe('SQL scanning', () => {
  it('finds the first keyword behind comments', () => {
    expect(firstWord('-- nightly\n/* a /* nested */ comment */ unload (...)')).toBe('UNLOAD');
    expect(firstWord(`select 1 -- unload`)).toBe('SELECT');
    expect(firstWord('  ')).toBeUndefined();
  });

  it('splits statements only at top-level semicolons', () => {
    expect(splitStatements(`begin; select ';', $$;$$, $t$ ; $t$, "a;b", E'\\';' /* ; */ -- ;\n; commit;`).map((s) => s.trim())).toEqual([
      'begin',
      `select ';', $$;$$, $t$ ; $t$, "a;b", E'\\';' /* ; */ -- ;`,
      'commit',
    ]);
  });

  it('tells an outer LIMIT from a nested one, and strips trailing semicolons', () => {
    expect(hasOuterLimit('select * from t limit 10')).toBe(true);
    expect(hasOuterLimit(`select * from t where id in (select id from t limit 10) and x = 'limit'`)).toBe(false);
    expect(stripTrailingSemicolons('select 1 ; ; -- done')).toBe('select 1');
  });

  it("rewrites version() calls outside strings to Redshift's banner, keeping the column name", () => {
    expect(rewriteVersionCalls(`select version(), 'version()' -- version()`)).toMatch(
      /^select \(SELECT 'PostgreSQL 8\.0\.2 .*Redshift 1\.0\.\d+ \(redshift-local\)'::text AS version\), 'version\(\)' -- version\(\)$/,
    );
    expect(rewriteVersionCalls('select pg_catalog.version()')).toBeUndefined();
    expect(rewriteVersionCalls('select 1')).toBeUndefined();
  });
});
