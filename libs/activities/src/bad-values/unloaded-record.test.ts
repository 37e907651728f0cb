import { Readable } from 'node:stream';
import { unloadedRecord } from './unloaded-record';

const text = (...chunks: (string | Buffer)[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

describe('unloadedRecord', () => {
  it('finds record N, counting escaped newlines inside values as data, and unescapes its fields', async () => {
    const part = '1|a\\\nb|x\n2|c\\|d|\\N\n3|\\\\N|é\n';
    expect(await unloadedRecord(text(part), 1)).toEqual(['1', 'a\nb', 'x']);
    expect(await unloadedRecord(text(part), 2)).toEqual(['2', 'c|d', null]);
    // `\\N` is the text \N, not NULL.
    expect(await unloadedRecord(text(part), 3)).toEqual(['3', '\\N', 'é']);
    expect(await unloadedRecord(text(part), 4)).toBeUndefined();
  });

  it('reads across chunk boundaries, and a last record without a newline', async () => {
    expect(await unloadedRecord(text('1|x\n4', '2|a', 'b\\', '|c'), 2)).toEqual(['42', 'ab|c']);
  });

  it('keeps a character whose bytes two chunks share, and an escaped LF split from its backslash', async () => {
    const [c3, a9] = Buffer.from('é');
    expect(await unloadedRecord(text('1|x\\', '\ny\n2|caf', Buffer.from([c3]), Buffer.from([a9]), '|\\N\n'), 2)).toEqual(['2', 'café', null]);
    expect(await unloadedRecord(text('1|x\\', '\ny\n2|caf', Buffer.from([c3]), Buffer.from([a9]), '|\\N\n'), 1)).toEqual(['1', 'x\ny']);
  });

  it('a part that ends with the record before', async () => {
    expect(await unloadedRecord(text('1|x\n'), 2)).toBeUndefined();
    expect(await unloadedRecord(text(''), 1)).toBeUndefined();
  });

  it('stops reading once it has the record', async () => {
    let served = 0;
    const stream = new Readable({
      read() {
        served++;
        this.push(served < 1000 ? `${served}|row\n` : null);
      },
    });
    expect(await unloadedRecord(stream, 3)).toEqual(['3', 'row']);
    expect(served).toBeLessThan(100);
  });
});
