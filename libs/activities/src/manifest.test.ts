import { parseManifest } from './manifest';

const manifest = (entries: unknown[]) => JSON.stringify({ entries, meta: { content_length: 0, record_count: 0 } });

describe('parseManifest', () => {
  it('lists parts with size, rows and names relative to the run folder', () => {
    const text = manifest([
      { url: 's3://b/run/0000_part_00.gz', meta: { content_length: 120, record_count: 3 } },
      { url: 's3://b/run/0001_part_00.gz', meta: { content_length: 0, record_count: 0 } },
    ]);
    expect(parseManifest(text, 'b', 'run/')).toEqual({
      parts: [
        { key: 'run/0000_part_00.gz', name: '0000_part_00.gz', bytes: 120, rows: 3 },
        { key: 'run/0001_part_00.gz', name: '0001_part_00.gz', bytes: 0, rows: 0 },
      ],
      rows: 3,
      bytes: 120,
    });
  });

  it('rejects a manifest without VERBOSE metadata', () => {
    expect(() => parseManifest(manifest([{ url: 's3://b/run/0000_part_00' }]), 'b', 'run/')).toThrow(/MANIFEST VERBOSE/);
  });

  it('rejects parts outside the run folder', () => {
    const text = manifest([{ url: 's3://b/other/0000_part_00', meta: { content_length: 1, record_count: 1 } }]);
    expect(() => parseManifest(text, 'b', 'run/')).toThrow(/outside this run's folder/);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseManifest('nope', 'b', 'run/')).toThrow(/not JSON/);
  });
});
