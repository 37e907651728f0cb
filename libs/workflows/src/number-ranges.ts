/** Sorted numbers as [from, to) pairs: tables mostly end in order, so a few pairs stand for thousands. */
export function toRanges(sorted: number[]): number[] {
  const ranges: number[] = [];
  for (const n of sorted) {
    if (ranges.length > 0 && ranges[ranges.length - 1] === n) ranges[ranges.length - 1] = n + 1;
    else ranges.push(n, n + 1);
  }
  return ranges;
}

export function fromRanges(ranges: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) for (let n = ranges[i]; n < ranges[i + 1]; n++) out.push(n);
  return out;
}
