import type { Part } from '@ferry/contract';
import { proveAgainstManifest, type LoadedPart } from './manifest-proof';

const part = (n: number, rows = 10, bytes = 100): Part => ({
  key: `run/attempt-2/000${n}_part_00.gz`,
  name: `000${n}_part_00.gz`,
  bytes,
  rows,
  etag: `etag-${n}`,
});
const loadedAs = (p: Part, changes: Partial<LoadedPart> = {}): LoadedPart => ({
  key: p.key,
  name: p.name,
  rows: p.rows,
  bytes: p.bytes,
  etag: p.etag,
  ...changes,
});

describe('proveAgainstManifest', () => {
  const manifest = [part(0), part(1), part(2, 0, 20)];

  it('accepts every loadable manifest part loaded once, as listed', () => {
    expect(proveAgainstManifest([loadedAs(manifest[1]), loadedAs(manifest[0])], manifest)).toEqual({ ok: true });
  });

  it('accepts an empty part loaded before its record count was known', () => {
    expect(
      proveAgainstManifest(
        manifest.map((p) => loadedAs(p)),
        manifest,
      ),
    ).toEqual({ ok: true });
  });

  it('accepts the ETag of ferry’s own gzip marking (aws_s3)', () => {
    const m = [{ ...part(0), etag: 'after-copy' }];
    expect(proveAgainstManifest([loadedAs(part(0), { etag: 'etag-0', markedEtag: 'after-copy' })], m)).toEqual({ ok: true });
  });

  it('refuses a loaded part the manifest does not list (an earlier attempt, a stray object)', () => {
    const stray: LoadedPart = { key: 'run/attempt-2/0009_part_00.gz', name: '0009_part_00.gz', rows: 3, bytes: 30, etag: 'x' };
    expect(proveAgainstManifest([...manifest.slice(0, 2).map((p) => loadedAs(p)), stray], manifest)).toEqual({
      ok: false,
      problems: ['0009_part_00.gz was loaded but the manifest does not list it'],
    });
  });

  it('refuses a different record count, size or ETag, naming each', () => {
    const result = proveAgainstManifest([loadedAs(manifest[0], { rows: 9 }), loadedAs(manifest[1], { bytes: 101, etag: 'other' })], manifest);
    expect(result).toEqual({
      ok: false,
      problems: [
        '0000_part_00.gz: loaded 9 rows, the manifest says 10',
        '0001_part_00.gz: loaded 101 bytes, the manifest says 100',
        '0001_part_00.gz: loaded ETag other, listed after the UNLOAD as etag-1',
      ],
    });
  });

  it('refuses a loadable manifest part that was not loaded, and one loaded twice', () => {
    expect(proveAgainstManifest([loadedAs(manifest[0]), loadedAs(manifest[0])], manifest)).toEqual({
      ok: false,
      problems: ['0000_part_00.gz was loaded twice', '0001_part_00.gz is in the manifest but was not loaded'],
    });
  });

  it('refuses a part without a listed ETag', () => {
    const { etag: _, ...unlisted } = part(0);
    expect(proveAgainstManifest([loadedAs(part(0))], [unlisted])).toEqual({
      ok: false,
      problems: ['0000_part_00.gz: loaded ETag etag-0, listed after the UNLOAD as (not listed)'],
    });
  });
});
