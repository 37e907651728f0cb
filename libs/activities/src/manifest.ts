import { parseS3Url } from '@ferry/s3';
import type { Part } from '@ferry/contract';

/**
 * Parses an UNLOAD `MANIFEST VERBOSE` file. Only parts under `runPrefix` in `bucket` are
 * accepted: a manifest pointing elsewhere would make ferry load files it did not unload.
 */
export function parseManifest(text: string, bucket: string, runPrefix: string): { parts: Part[]; rows: number; bytes: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`the UNLOAD manifest is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const entries = (doc as { entries?: unknown }).entries;
  if (!Array.isArray(entries)) throw new Error('the UNLOAD manifest has no "entries" array');
  const parts = entries.map((entry, i): Part => {
    const e = entry as { url?: unknown; meta?: { content_length?: unknown; record_count?: unknown } };
    if (typeof e.url !== 'string') throw new Error(`manifest entry ${i} has no url`);
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
  });
  return {
    parts,
    rows: parts.reduce((n, p) => n + p.rows, 0),
    bytes: parts.reduce((n, p) => n + p.bytes, 0),
  };
}

export function manifestKey(runPrefix: string): string {
  return `${runPrefix}manifest`;
}
