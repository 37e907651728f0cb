import { copyErrorPlace } from './copy-error';

const into = { table: 'public__t', columns: ['id', 'city', 'n', 'name', 'a', 'a: b', 'x, line 9'] };

describe('copyErrorPlace', () => {
  it('reads the line and column of a COPY error context', () => {
    expect(copyErrorPlace({ where: 'COPY public__t, line 3, column city: "Springfield"' }, into)).toEqual({ line: 3, column: 'city' });
    expect(copyErrorPlace({ where: 'COPY public__t, line 4, column city: null input' }, into)).toEqual({ line: 4, column: 'city' });
    expect(copyErrorPlace({ where: 'COPY public__t, line 12' }, into)).toEqual({ line: 12 });
    // A row refused after its fields were read (a generated column out of range): no column.
    expect(copyErrorPlace({ where: 'COPY public__t, line 2: "2|ab|20000"' }, into)).toEqual({ line: 2 });
  });

  it('names as they are, however they read: of the columns it was given, the one the context names', () => {
    expect(copyErrorPlace({ where: 'COPY public__t, line 3, column a: b: "abcd"' }, into)).toEqual({ line: 3, column: 'a: b' });
    expect(copyErrorPlace({ where: 'COPY public__t, line 3, column a: "a: b"' }, into)).toEqual({ line: 3, column: 'a' });
    expect(copyErrorPlace({ where: 'COPY public__t, line 3, column x, line 9: "v"' }, into)).toEqual({ line: 3, column: 'x, line 9' });
    expect(copyErrorPlace({ where: 'COPY x, line 5, line 6' }, { table: 'x, line 5', columns: [] })).toEqual({ line: 6 });
    // A column COPY was not given is not guessed at.
    expect(copyErrorPlace({ where: 'COPY public__t, line 3, column other: "v"' }, into)).toEqual({ line: 3 });
  });

  it('a value that spans lines, and the context of another table', () => {
    expect(copyErrorPlace({ where: 'COPY public__t, line 3, column city: "a\nCOPY public__t, line 9"' }, into)).toEqual({ line: 3, column: 'city' });
    expect(copyErrorPlace({ where: 'COPY other, line 3, column city: "x"' }, into)).toEqual({});
  });

  it('inside the context of aws_s3.table_import_from_s3, and with the column from the error field', () => {
    // As the local stand-in (tools/aws-s3-local) reports it: COPY's own line first, then the function's.
    const where =
      'COPY public__t, line 2, column n: "70000"\nSQL statement "COPY "ferry_staging"."public__t" ("id", "n") FROM PROGRAM \'exec /bin/python3 -I /dev/fd/11\' WITH (FORMAT text, DELIMITER \'|\', NULL \'\\N\')"\nPL/pgSQL function aws_s3.table_import_from_s3(text,text,text,text,text,text,text,text,text) line 16 at EXECUTE';
    expect(copyErrorPlace({ where }, into)).toEqual({ line: 2, column: 'n' });
    expect(copyErrorPlace({ where: 'COPY public__t, line 5: "5|\\N"', column: 'name' }, into)).toEqual({ line: 5, column: 'name' });
  });

  it('nothing when PostgreSQL said nothing about where', () => {
    expect(copyErrorPlace({}, into)).toEqual({});
  });
});
