import { ByteSink, RowEncoder, type EncodeOptions } from './encode';

/** A row as PostgreSQL's COPY TO writes it in text format. */
const pgRow = (...fields: (string | null)[]) =>
  Buffer.from(
    fields
      .map((f) =>
        f === null
          ? '\\N'
          : f
              .replace(/\\/g, '\\\\')
              .replace(/\t/g, '\\t')
              .replace(/\n/g, '\\n')
              .replace(/\r/g, '\\r')
              .replaceAll('\b', '\\b')
              .replace(/\f/g, '\\f')
              .replace(/\v/g, '\\v'),
      )
      .join('\t') + '\n',
  );

const encode = (o: EncodeOptions, ...fields: (string | null)[]) => {
  const sink = new ByteSink(16);
  new RowEncoder(o, fields.length).encodeRow(pgRow(...fields), sink);
  return sink.buf.toString('utf8', 0, sink.len);
};

const text: EncodeOptions = { format: 'text', delimiter: '|', nullString: '', escape: false, addQuotes: false };
const csv: EncodeOptions = { format: 'csv', delimiter: ',', nullString: '', escape: false, addQuotes: false };
// The combination ferry unloads with, and reads back with COPY … (FORMAT text, DELIMITER '|', NULL '\N').
const ferry: EncodeOptions = { format: 'text', delimiter: '|', nullString: '\\N', escape: true, addQuotes: false };

describe('RowEncoder', () => {
  it('writes the default pipe-delimited text unescaped, NULL as an empty field', () => {
    expect(encode(text, '1', 'a|b', null, '', 'tab\there')).toBe('1|a|b|||tab\there\n');
  });

  it('escapes with ESCAPE: a backslash before LF, CR, the delimiter and backslash only', () => {
    expect(encode(ferry, 'a|b', 'x\ny\rz', 'back\\slash', null, '', '\\N', 'tab\there', `"q'`, '日本語😀', '\x08\f\v')).toBe(
      'a\\|b|x\\\ny\\\rz|back\\\\slash|\\N||\\\\N|tab\there|"q\'|日本語😀|\x08\f\v\n',
    );
  });

  it('writes rows without escapes, NULLs or delimiters (the fast path) exactly like the byte loop', () => {
    expect(encode(ferry, '1', 'plain text', '', '日本語😀', 'x')).toBe('1|plain text||日本語😀|x\n');
    expect(encode(ferry, '')).toBe('\n');
    expect(encode({ ...ferry, delimiter: '\t' }, 'a', 'b c')).toBe('a\tb c\n');
    // Without ESCAPE a delimiter inside a value is written as it is, as by the byte loop.
    expect(encode(text, 'a|b', 'c')).toBe('a|b|c\n');
    // With ESCAPE it needs a backslash, so the row takes the byte loop.
    expect(encode(ferry, 'a|b', 'c')).toBe('a\\|b|c\n');
    const sink = new ByteSink(4);
    const encoder = new RowEncoder(ferry, 2);
    for (let i = 0; i < 1000; i++) encoder.encodeRow(pgRow(String(i), i % 3 === 0 ? null : `v${i}`), sink);
    const lines = sink.buf.toString('utf8', 0, sink.len).split('\n');
    expect(lines.slice(0, 3)).toEqual(['0|\\N', '1|v1', '2|v2']);
    expect(lines.length).toBe(1001);
  });

  it('quotes every non-NULL field with ADDQUOTES, escaping quotes too when ESCAPE is on', () => {
    expect(encode({ ...ferry, addQuotes: true }, `say "hi" it's`, null, '')).toBe(`"say \\"hi\\" it\\'s"|\\N|""\n`);
    expect(encode({ ...text, delimiter: ',', addQuotes: true }, '1', 'Hello, World')).toBe('"1","Hello, World"\n');
  });

  it('writes CSV, quoting only fields with the delimiter, a quote, LF or CR, and doubling quotes', () => {
    expect(encode(csv, 'plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', null, '日本😀', 'back\\slash')).toBe(
      'plain,"a,b","say ""hi""","two\nlines","cr\rhere",,日本😀,back\\slash\n',
    );
    expect(encode({ ...csv, delimiter: '|' }, 'Pinewood Race|track', 'Community, Ballpark')).toBe('"Pinewood Race|track"|Community, Ballpark\n');
  });

  it('pads FIXEDWIDTH columns with spaces and never truncates', () => {
    const fixed: EncodeOptions = { format: 'fixedwidth', delimiter: '|', nullString: '', escape: false, addQuotes: false, widths: [3, 6, 2] };
    expect(encode(fixed, '1', 'Toyota', 'IL')).toBe('1  ToyotaIL\n');
    expect(encode(fixed, '22', null, 'toolong')).toBe('22       toolong\n');
    expect(encode({ ...fixed, nullString: 'NULL' }, null, null, null)).toBe('   NULL    \n');
  });

  it('writes a header with the same rules as the data', () => {
    const sink = new ByteSink();
    new RowEncoder(csv, 2).encodeHeader(['id', 'a,b'], sink);
    expect(sink.buf.toString('utf8', 0, sink.len)).toBe('id,"a,b"\n');
  });

  it('appends rows to the sink, growing it for rows far larger than its buffer', () => {
    const sink = new ByteSink(16);
    const encoder = new RowEncoder(ferry, 2);
    const big = 'x'.repeat(200_000);
    encoder.encodeRow(pgRow(big, null), sink);
    encoder.encodeRow(pgRow('1', '2'), sink);
    expect(sink.len).toBe(200_000 + 4 + 4);
    expect(sink.take().subarray(-4).toString()).toBe('1|2\n');
    expect(sink.len).toBe(0);
  });
});
