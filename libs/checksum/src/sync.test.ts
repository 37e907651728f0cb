import { recordingSession } from '@ferry/sql';
import { cursorRows, diffSegments, segmentCondition, syncDepth } from './sync';
import type { SegmentRow } from './side-query';

async function* rows(...list: [string, number, string][]): AsyncIterable<SegmentRow> {
  for (const [bucket, n, sum] of list) yield { bucket, rows: String(n), sum };
}

describe("a sync's comparison", () => {
  it('picks segments of about 32 rows, 16 to 16^5 of them', () => {
    expect([0, 100, 4_000, 2_000_000, 30_000_000, 1e12].map(syncDepth)).toEqual([1, 1, 2, 4, 5, 5]);
  });

  it('merges two ordered streams into the segments that differ, with the source side of each (0 where the source has none)', async () => {
    const diff = await diffSegments(
      rows(['00', 3, '10'], ['01', 2, '20'], ['03', 1, '5'], ['05', 4, '9']),
      rows(['00', 3, '10'], ['01', 2, '21'], ['02', 7, '70'], ['05', 3, '9']),
      10,
    );
    expect(diff).toEqual({
      compared: 5,
      sourceRows: 10,
      differing: 4,
      overLimit: false,
      segments: [
        { segment: '01', rows: 2, sum: '20' },
        { segment: '02', rows: 0, sum: '0' },
        { segment: '03', rows: 1, sum: '5' },
        { segment: '05', rows: 4, sum: '9' },
      ],
    });
  });

  it('past the limit it keeps counting but stops listing', async () => {
    const diff = await diffSegments(rows(['0', 1, '1'], ['1', 1, '1'], ['2', 1, '1']), rows(), 2);
    expect(diff).toMatchObject({ compared: 3, differing: 3, overLimit: true });
    expect(diff.segments.map((s) => s.segment)).toEqual(['0', '1']);
  });

  it('refuses a side that is not in hex order (a collation that sorts otherwise) rather than compare wrongly', async () => {
    await expect(diffSegments(rows(['b', 1, '1'], ['a', 1, '1']), rows(), 10)).rejects.toThrow(/the source's segments are not in hex order \("b" before "a"\)/);
  });

  it('unloads the differing segments by a condition of hex literals, checked; none: no row', () => {
    const side = { dialect: 'redshift' as const, key: [{ name: 'id', expr: 'CAST("id" AS VARCHAR)' }] };
    expect(segmentCondition(side, 2, ['0a', 'ff'])).toBe(`SUBSTRING(MD5(COALESCE(CAST("id" AS VARCHAR), 'N')), 1, 2) IN ('0a', 'ff')`);
    expect(segmentCondition(side, 2, [])).toBe('1 = 0');
    expect(() => segmentCondition(side, 2, ["0'"])).toThrow(/not a segment of depth 2/);
  });

  it('reads a statement through a cursor, a batch at a time, and closes it', async () => {
    const session = recordingSession((text) => (text.startsWith('FETCH') ? { rows: [{ bucket: '0', rows: '1', sum: '1' }] } : undefined));
    const read = [];
    for await (const r of cursorRows(session, 'c', { text: 'SELECT 1' })) read.push(r);
    expect(read).toHaveLength(1);
    expect(session.texts()).toEqual(['DECLARE c CURSOR FOR SELECT 1', 'FETCH FORWARD 1000 FROM c', 'CLOSE c']);
  });
});
