import { stagingTableFor } from './names';

describe('stagingTableFor', () => {
  it('names the staging table after its target', () => {
    expect(stagingTableFor({ schema: 'public', name: 'zipcode_us' }, 'ferry_staging')).toEqual({ schema: 'ferry_staging', name: 'public__zipcode_us' });
  });
  it('keeps long names within 63 bytes and distinct', () => {
    const a = stagingTableFor({ schema: 's', name: 'x'.repeat(70) + 'a' }, 'st');
    const b = stagingTableFor({ schema: 's', name: 'x'.repeat(70) + 'b' }, 'st');
    expect(Buffer.byteLength(a.name)).toBeLessThanOrEqual(63);
    expect(a.name).not.toBe(b.name);
  });
});
