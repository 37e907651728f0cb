import { copyErrorPlace } from './copy-error';

describe('copyErrorPlace', () => {
  it('reads the line and column of a COPY error context', () => {
    expect(copyErrorPlace({ where: 'COPY public__t, line 3, column city: "Springfield"' })).toEqual({ line: 3, column: 'city' });
    expect(copyErrorPlace({ where: 'COPY public__t, line 12' })).toEqual({ line: 12 });
  });

  it('inside the context of aws_s3.table_import_from_s3, and with the column from the error field', () => {
    const where =
      'COPY public__t, line 2, column n: "70000"\nSQL statement "COPY public__t (id, n) FROM PROGRAM …"\nPL/pgSQL function aws_s3.table_import_from_s3(text,text,text,text,text,text) line 30 at EXECUTE';
    expect(copyErrorPlace({ where })).toEqual({ line: 2, column: 'n' });
    expect(copyErrorPlace({ where: 'COPY public__t, line 5: "5|\\N"', column: 'name' })).toEqual({ line: 5, column: 'name' });
  });

  it('nothing when PostgreSQL said nothing about where', () => {
    expect(copyErrorPlace({})).toEqual({});
  });
});
