import { manifestParts } from './manifest';

const manifest = (entries: unknown[]) => JSON.stringify({ entries, meta: { content_length: 0, record_count: 0 } });

async function* streamOf(chunks: (string | Uint8Array)[]) {
  yield* chunks;
}

const collect = async (chunks: (string | Uint8Array)[]) => {
  const parts = [];
  for await (const p of manifestParts(streamOf(chunks), 'b', 'run/')) parts.push(p);
  return parts;
};

describe('manifestParts', () => {
  const text = JSON.stringify({
    entries: [
      { url: 's3://b/run/0000_part_00.gz', meta: { content_length: 120, record_count: 3 } },
      { url: 's3://b/run/0001_part_00.gz', meta: { content_length: 0, record_count: 0, note: 'a "quoted" {brace} ]and[ ünïcödé' } },
      { url: 's3://b/run/0002_part_00.gz', meta: { record_count: 7, content_length: 5 } },
    ],
    schema: { elements: [{ name: 'entries', type: { base: '[' } }] },
    meta: { content_length: 125, record_count: 10 },
  });
  const parts = [
    { key: 'run/0000_part_00.gz', name: '0000_part_00.gz', bytes: 120, rows: 3 },
    { key: 'run/0001_part_00.gz', name: '0001_part_00.gz', bytes: 0, rows: 0 },
    { key: 'run/0002_part_00.gz', name: '0002_part_00.gz', bytes: 5, rows: 7 },
  ];

  it('lists parts with size, rows and names relative to the run folder, however the bytes are cut into chunks', async () => {
    const bytes = Buffer.from(text, 'utf8');
    // Every cut, a multibyte character's middle included.
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await collect([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(parts);
    }
    expect(await collect([...bytes].map((b) => Uint8Array.of(b)))).toEqual(parts);
  });

  it('pretty-printed, as Redshift writes it', async () => {
    expect(await collect([JSON.stringify(JSON.parse(text), null, 2)])).toEqual(parts);
  });

  it('rejects text that is not JSON of a manifest', async () => {
    await expect(collect(['nope'])).rejects.toThrow(/not JSON/);
    await expect(collect([''])).rejects.toThrow(/not JSON/);
    await expect(collect(['{"entries": [{"url": "s3://b/run/0000_part_00"'])).rejects.toThrow(/not JSON/);
    await expect(collect(['{"meta": {}}'])).rejects.toThrow(/no "entries" array/);
    await expect(collect(['{"entries": [1]}'])).rejects.toThrow(/not an object/);
  });

  it('rejects a manifest without VERBOSE metadata', async () => {
    await expect(collect([manifest([{ url: 's3://b/run/0000_part_00' }])])).rejects.toThrow(/MANIFEST VERBOSE/);
  });

  it('rejects parts outside the run folder', async () => {
    await expect(collect([manifest([{ url: 's3://b/other/0000_part_00', meta: { content_length: 1, record_count: 1 } }])])).rejects.toThrow(
      /outside this run's folder/,
    );
  });
});
