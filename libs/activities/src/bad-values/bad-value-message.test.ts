import { badValueMessage } from './bad-value-message';

describe('badValueMessage', () => {
  it('names the column, the row by its key and the line, then the fix', () => {
    expect(
      badValueMessage({
        part: '0001_part_00.gz',
        table: 'public.t',
        code: '22001',
        reason: 'value too long for type character varying(3)',
        line: 2,
        column: 'name',
        key: [{ column: 'id', value: '2' }],
      }),
    ).toBe(
      'part 0001_part_00.gz cannot be loaded into public.t: column "name", row id=2 (line 2 of the part): value too long for type character varying(3). Fix: widen the target column (ALTER TABLE public.t ALTER COLUMN "name" TYPE <a longer type>), or shorten the value in source.query',
    );
  });

  it('a composite key, a NULL and a long key value shortened', () => {
    const message = badValueMessage({
      part: 'p',
      table: 'public."Orders"',
      code: '23502',
      reason: 'null value in column "note" of relation "x" violates not-null constraint',
      line: 7,
      column: 'note',
      key: [
        { column: 'a', value: 'x'.repeat(100) },
        { column: 'b', value: null },
      ],
    });
    expect(message).toContain(`row (a, b)=(${'x'.repeat(64)}…, NULL) (line 7 of the part)`);
    expect(message).toContain('Fix: the source has NULL there: allow NULL in the target (ALTER TABLE public."Orders" ALTER COLUMN "note" DROP NOT NULL)');
  });

  it('a key value shortened between characters, never inside one', () => {
    const message = badValueMessage({
      part: 'p',
      table: 't',
      code: '22001',
      reason: 'r',
      line: 1,
      column: 'c',
      key: [{ column: 'k', value: `${'x'.repeat(63)}😀😀` }],
    });
    expect(message).toContain(`row k=${'x'.repeat(63)}😀… (line 1 of the part)`);
  });

  it('a value out of range that no column of the row held: computed by the target', () => {
    expect(
      badValueMessage({ part: 'p', table: 'public.t', code: '22003', reason: 'smallint out of range', line: 2, key: [{ column: 'id', value: '2' }] }),
    ).toBe(
      "part p cannot be loaded into public.t: row id=2 (line 2 of the part): smallint out of range. Fix: the target computes a value out of its type's range (a generated column, a default or a CHECK constraint): widen that type or change the expression",
    );
  });

  it('without column or key: the line; a character the encoding cannot hold names the encoding', () => {
    expect(
      badValueMessage({
        part: 'p',
        table: 't',
        code: '22P05',
        reason: 'character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1"',
        line: 4,
        encoding: 'LATIN1',
      }),
    ).toBe(
      'part p cannot be loaded into t: line 4 of the part: character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1". Fix: the target database\'s encoding (LATIN1) cannot hold this character: load into a database created with ENCODING \'UTF8\', or replace the character in source.query',
    );
  });
});
