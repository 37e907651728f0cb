import { fromRanges, toRanges } from './number-ranges';

describe('number ranges', () => {
  it('stand for sorted numbers as [from, to) pairs, and give them back', () => {
    expect(toRanges([])).toEqual([]);
    expect(toRanges([0, 1, 2, 5, 7, 8])).toEqual([0, 3, 5, 6, 7, 9]);
    expect(fromRanges([0, 3, 5, 6, 7, 9])).toEqual([0, 1, 2, 5, 7, 8]);
    const many = Array.from({ length: 20_000 }, (_, i) => i).filter((n) => n % 1000 !== 17);
    expect(toRanges(many)).toHaveLength(2 * 21);
    expect(fromRanges(toRanges(many))).toEqual(many);
  });
});
