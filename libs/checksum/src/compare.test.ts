import { createHash } from 'node:crypto';
import type { Segments } from '@ferry/contract';
import type { ChecksumSide } from './checksum-side';
import { compareSides, differingBuckets } from './compare';
import type { LeafRow } from './side-query';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** A side answered from memory as the databases answer: buckets by the md5 of the key text, sums of the row hashes' first 15 digits. */
function memorySide(rows: Record<string, string>, keyed = true): ChecksumSide & { reads: string[] } {
  const leaf = (id: string): LeafRow => ({ key: { id }, keyText: id, hash: md5(`${id}|${rows[id]}`), columns: { v: md5(rows[id]) } });
  const under = (prefix: string) => Object.keys(rows).filter((id) => md5(id).startsWith(prefix));
  const reads: string[] = [];
  return {
    keyed,
    reads,
    async segments(level, prefix = '') {
      reads.push(`segments ${level} ${prefix}`);
      const out: Segments = {};
      for (const id of under(prefix)) {
        const bucket = keyed ? md5(id).slice(0, level) : '';
        const b = (out[bucket] ??= { rows: 0, sum: '0' });
        b.rows++;
        b.sum = String(BigInt(b.sum) + BigInt(`0x${leaf(id).hash.slice(0, 15)}`));
      }
      return out;
    },
    async leafRows(prefix) {
      reads.push(`leaf ${prefix}`);
      return under(prefix).map(leaf);
    },
  };
}

const table = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), `value ${i}`]));
const options = { maxDifferences: 20, leafRows: 4 };

describe('compareSides bisects differing buckets', () => {
  it('equal sides: one read each, nothing listed', async () => {
    const [s, t] = [memorySide(table(500)), memorySide(table(500))];
    const result = await compareSides(s, t, options);
    expect(result).toMatchObject({ equal: true, missing: [], extra: [], changed: [], queries: 2, rows: { source: 500, target: 500 } });
  });

  it('names a missing, an extra and a changed row with its column', async () => {
    const target = table(500);
    delete target['17'];
    target['900'] = 'new';
    target['42'] = 'changed';
    const result = await compareSides(memorySide(table(500)), memorySide(target), options);
    expect(result).toMatchObject({ equal: false, missing: [{ id: '17' }], extra: [{ id: '900' }], changed: [{ key: { id: '42' }, columns: ['v'] }] });
    expect(result.truncated).toBe(false);
  });

  it('stops listing at maxDifferences and says so', async () => {
    const target = table(500);
    for (let i = 0; i < 30; i++) target[String(i)] = 'other';
    const result = await compareSides(memorySide(table(500)), memorySide(target), { ...options, maxDifferences: 5 });
    expect(result.changed).toHaveLength(5);
    expect(result.truncated).toBe(true);
  });

  it('without a key, only that the tables differ', async () => {
    const target = { ...table(10), 3: 'other' };
    const result = await compareSides(memorySide(table(10), false), memorySide(target, false), options);
    expect(result).toMatchObject({ equal: false, unlocated: true, changed: [] });
  });

  it("with the UNLOAD's snapshot, the live source is read below it and a change since is flagged", async () => {
    const snapshotSide = memorySide(table(300));
    const snapshot = await snapshotSide.segments(2);
    const live = memorySide({ ...table(300), 5: 'changed since the snapshot' });
    const staged = memorySide(table(300));
    const result = await compareSides(live, staged, { ...options, sourceSnapshot: snapshot });
    // The staged rows equal the snapshot: no difference, and the live source is not read.
    expect(result.equal).toBe(true);
    expect(live.reads).toEqual([]);

    const stagedWrong = memorySide({ ...table(300), 5: 'lost in staging' });
    const flagged = await compareSides(live, stagedWrong, { ...options, sourceSnapshot: snapshot });
    expect(flagged).toMatchObject({ equal: false, sourceChangedSinceSnapshot: true, changed: [{ key: { id: '5' } }] });
  });

  it('differingBuckets lists buckets either side lacks, in key order', () => {
    const a: Segments = { '00': { rows: 1, sum: '1' }, ff: { rows: 1, sum: '2' } };
    const b: Segments = { '00': { rows: 1, sum: '1' }, '0a': { rows: 2, sum: '3' } };
    expect(differingBuckets(a, b).map((d) => d.bucket)).toEqual(['0a', 'ff']);
  });
});
