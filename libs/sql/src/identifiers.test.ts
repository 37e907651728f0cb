import { displayName, parseQualifiedName, quoteIdent, quoteQualified } from './identifiers';

describe('quoteIdent', () => {
  it('always double-quotes and doubles embedded quotes', () => {
    expect(quoteIdent('users')).toBe('"users"');
    expect(quoteIdent('My "odd" Table')).toBe('"My ""odd"" Table"');
  });
  it('rejects empty names and NUL', () => {
    expect(() => quoteIdent('')).toThrow(/cannot be empty/);
    expect(() => quoteIdent('a\0b')).toThrow(/NUL/);
  });
  it('quotes both parts of a qualified name', () => {
    expect(quoteQualified({ schema: 'public', name: 'x"y' })).toBe('"public"."x""y"');
  });
});

describe('parseQualifiedName', () => {
  it('folds unquoted names to lower case and defaults the schema', () => {
    expect(parseQualifiedName('Zipcode_US')).toEqual({ schema: 'public', name: 'zipcode_us' });
    expect(parseQualifiedName('Sales.Orders')).toEqual({ schema: 'sales', name: 'orders' });
  });
  it('keeps quoted parts verbatim, dots and quotes included', () => {
    expect(parseQualifiedName('"My Schema"."a.b""c"')).toEqual({ schema: 'My Schema', name: 'a.b"c' });
  });
  it('rejects what is not a table name, saying why', () => {
    expect(() => parseQualifiedName('a.b.c')).toThrow(/database names are set by the connection/);
    expect(() => parseQualifiedName('drop table x')).toThrow(/not a table name/);
    expect(() => parseQualifiedName('"open')).toThrow(/unterminated/);
    expect(() => parseQualifiedName('a.')).toThrow(/ends with/);
  });
  it('displays names quoted only where needed', () => {
    expect(displayName({ schema: 'public', name: 'zip' })).toBe('public.zip');
    expect(displayName({ schema: 'public', name: 'Zip Code' })).toBe('public."Zip Code"');
  });
});
