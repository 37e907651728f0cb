import { parseS3Url } from '@ferry/s3';
import type { Part } from '@ferry/contract';

/**
 * The parts of an UNLOAD `MANIFEST VERBOSE` file as its bytes arrive, one entry parsed at a
 * time (a table of 300,000 parts has a 37 MB manifest, which parsed whole took ~180 MB of the
 * worker's heap at once). Only parts under `runPrefix` in `bucket` are accepted: a manifest
 * pointing elsewhere would make ferry load files it did not unload.
 */
export async function* manifestParts(body: AsyncIterable<Uint8Array | string>, bucket: string, runPrefix: string): AsyncGenerator<Part> {
  let i = 0;
  for await (const entry of manifestEntries(body)) yield partOf(entry, i++, bucket, runPrefix);
}

function partOf(entry: unknown, i: number, bucket: string, runPrefix: string): Part {
  const e = entry as { url?: unknown; meta?: { content_length?: unknown; record_count?: unknown } };
  if (typeof e?.url !== 'string') throw new Error(`manifest entry ${i} has no url`);
  const bytes = e.meta?.content_length;
  const rows = e.meta?.record_count;
  if (typeof bytes !== 'number' || typeof rows !== 'number') {
    throw new Error(`manifest entry ${i} (${e.url}) has no meta.content_length/record_count: unload with MANIFEST VERBOSE`);
  }
  const { bucket: b, key } = parseS3Url(e.url);
  if (b !== bucket || !key.startsWith(runPrefix)) {
    throw new Error(`manifest entry ${e.url} is outside this run's folder s3://${bucket}/${runPrefix}`);
  }
  return { key, name: key.slice(runPrefix.length), bytes, rows };
}

/**
 * Each element of the top-level object's `entries` array, parsed on its own: the scanner
 * follows strings and nesting only to cut the text at the elements' ends, so no more than one
 * entry's text and one chunk are held at a time. Anything that is not JSON of that shape
 * throws, as JSON.parse would.
 */
export async function* manifestEntries(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let depth = 0;
  let inString = false;
  let escaped = false;
  let key = ''; // the last string read in the top-level object (a key, before its value)
  let readingKey = false;
  let inEntries = false;
  let sawEntries = false;
  let element = ''; // the text of the entry being read
  let elementDepth = 0; // > 0 while inside an entry
  let started = false;
  const fail = (why: string): never => {
    throw new Error(`the UNLOAD manifest is not JSON: ${why}`);
  };

  for await (const chunk of body) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (!started && !/\s/.test(c)) {
        if (c !== '{') fail(`it starts with ${JSON.stringify(c)}, not an object`);
        started = true;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') {
          inString = false;
          continue;
        }
        if (readingKey) key += c;
        continue;
      }
      if (inEntries && depth === 2 && elementDepth === 0 && !/[\s,{\]]/.test(c)) fail('an entry is not an object');
      if (c === '"') {
        inString = true;
        readingKey = depth === 1 && elementDepth === 0;
        if (readingKey) key = '';
        continue;
      }
      if (c === '{' || c === '[') {
        if (inEntries && depth === 2 && c === '{' && elementDepth === 0) from = i;
        if (depth === 1 && c === '[' && key === 'entries') {
          inEntries = true;
          sawEntries = true;
        }
        depth++;
        if (inEntries && depth >= 3) elementDepth = depth - 2;
      } else if (c === '}' || c === ']') {
        depth--;
        if (depth < 0) fail('a bracket closes what was not opened');
        if (inEntries && elementDepth > 0) {
          elementDepth = depth - 2;
          if (depth === 2) {
            element += text.slice(from, i + 1);
            yield JSON.parse(element);
            element = '';
          }
        } else if (inEntries && depth === 1) inEntries = false;
      }
    }
    // The entry read so far waits for the next chunk.
    if (elementDepth > 0) element += text.slice(from);
  }
  decoder.decode();
  if (!started) fail('it is empty');
  if (depth !== 0 || inString) fail('it ends early');
  if (!sawEntries) throw new Error('the UNLOAD manifest has no "entries" array');
}

export function manifestKey(runPrefix: string): string {
  return `${runPrefix}manifest`;
}
