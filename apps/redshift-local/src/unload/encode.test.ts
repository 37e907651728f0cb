import { RowEncoder } from './encode';

const pgRow = (...fields: (string | null)[]) =>
  Buffer.from(
    fields.map((f) => (f === null ? '\\N' : f.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'))).join('\t') + '\n',
  );
const text = { format: 'text' as const, delimiter: '|', nullString: '\\N', escape: true, addQuotes: false };

describe('RowEncoder', () => {
  it('writes delimited text with ESCAPE: a backslash before LF, CR, the delimiter and backslash', () => {
    const out = new RowEncoder(text).encodeCopyRow(pgRow('a|b', 'x\ny\rz', 'back\\slash', null, '', '\\N', 'tab\there', '"q\''));
    expect(out.toString()).toBe('a\\|b|x\\\ny\\\rz|back\\\\slash|\\N||\\\\N|tab\there|"q\'\n');
  });

  it('quotes every value with ADDQUOTES, escaping quotes too', () => {
    const out = new RowEncoder({ ...text, addQuotes: true }).encodeCopyRow(pgRow('say "hi"', null));
    expect(out.toString()).toBe('"say \\"hi\\""|\\N\n');
  });

  it('writes CSV, quoting only fields that need it and doubling quotes', () => {
    const out = new RowEncoder({ format: 'csv', delimiter: ',', nullString: '', escape: false, addQuotes: false }).encodeCopyRow(pgRow('plain', 'a,b', 'say "hi"', 'two\nlines', null, '日本😀'));
    expect(out.toString()).toBe('plain,"a,b","say ""hi""","two\nlines",,日本😀\n');
  });

  it('writes a header with the same rules', () => {
    expect(new RowEncoder({ format: 'csv', delimiter: ',', nullString: '', escape: false, addQuotes: false }).encodeHeader(['id', 'a,b']).toString()).toBe('id,"a,b"\n');
  });

  it('handles rows far larger than its starting buffer', () => {
    const big = 'x'.repeat(200_000);
    expect(new RowEncoder(text).encodeCopyRow(pgRow(big, big)).length).toBe(400_002);
  });
});
