import type { Part } from '@ferry/contract';

/** One part as its load reported it. */
export interface LoadedPart {
  key: string;
  name: string;
  /** Rows the COPY (or the aws_s3 import) reported. */
  rows: number;
  /** The object's size as the load read it. */
  bytes: number;
  /** The ETag of the object the load read, and (aws_s3 with gzip) the one after ferry's metadata copy. */
  etag?: string;
  markedEtag?: string;
}

export type ManifestProof = { ok: true } | { ok: false; problems: string[] };

/** Parts worth loading: empty ones are counted and skipped (RDS's import fails on 0-byte files). */
export const isLoadable = (p: Pick<Part, 'bytes' | 'rows'>) => p.bytes > 0 && p.rows > 0;

/**
 * Parts loaded while the UNLOAD ran were chosen from a listing, not from the manifest; the
 * manifest, written when the UNLOAD ended, decides whether they were the right ones. Staging
 * holds exactly the manifest's parts when every loaded part is in the manifest with the
 * same size and record count, was read with the ETag the listing after the UNLOAD shows,
 * and every loadable manifest part was loaded once.
 */
export function proveAgainstManifest(loaded: readonly LoadedPart[], manifest: readonly Part[]): ManifestProof {
  const byKey = new Map(manifest.map((p) => [p.key, p]));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const l of loaded) {
    const m = byKey.get(l.key);
    if (seen.has(l.key)) problems.push(`${l.name} was loaded twice`);
    seen.add(l.key);
    if (!m) {
      problems.push(`${l.name} was loaded but the manifest does not list it`);
      continue;
    }
    if (l.bytes !== m.bytes) problems.push(`${l.name}: loaded ${l.bytes} bytes, the manifest says ${m.bytes}`);
    if (l.rows !== m.rows) problems.push(`${l.name}: loaded ${l.rows} rows, the manifest says ${m.rows}`);
    if (m.etag === undefined || (m.etag !== l.etag && m.etag !== l.markedEtag)) {
      problems.push(`${l.name}: loaded ETag ${l.etag ?? '(none)'}, listed after the UNLOAD as ${m.etag ?? '(not listed)'}`);
    }
  }
  for (const m of manifest) {
    if (isLoadable(m) && !seen.has(m.key)) problems.push(`${m.name} is in the manifest but was not loaded`);
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}
