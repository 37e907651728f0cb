import { loadConfig, type FerryConfig } from '@ferry/config';
import { previewDiscovery } from '@ferry/activities';
import { expandPipeline, formatPath, type ResolvedPipeline } from '@ferry/pipeline';

/**
 * The pipeline file's own connections and bucket where it has them (it is then meant to be
 * the worker's FERRY_CONFIG too), else the worker config's.
 */
export function configFor(pipeline: ResolvedPipeline): FerryConfig {
  const worker = pipeline.connections && pipeline.s3 ? undefined : loadConfig();
  return { s3: pipeline.s3 ?? worker!.s3, connections: pipeline.connections ?? worker!.connections };
}

/**
 * The pipeline with its discovery entries expanded from the source catalog, as a run would
 * expand them now; when the catalog cannot be read, the entries stay and `unreachable` says why.
 */
export async function expandForPreview(pipeline: ResolvedPipeline, config: FerryConfig): Promise<{ pipeline: ResolvedPipeline; unreachable?: string }> {
  if (pipeline.discoveries.length === 0) return { pipeline };
  let found: Record<string, string[]>;
  try {
    found = await previewDiscovery(config, { entries: pipeline.discoveries.map((d) => ({ name: d.name, ...d.source })) });
  } catch (err) {
    return { pipeline, unreachable: (err as Error).message };
  }
  const expanded = expandPipeline(pipeline, found);
  if (!expanded.ok) throw new Error(`after discovering the tables: ${expanded.problems.map((p) => `${formatPath(p.path)}: ${p.message}`).join('; ')}`);
  return { pipeline: expanded.pipeline };
}

/** `3 table(s)`, or `3 table(s) + the tables of 1 schema` when some are discovered at run time. */
export function tableCount(pipeline: ResolvedPipeline): string {
  const schemas = pipeline.discoveries.length;
  return `${pipeline.tables.length} table(s)${schemas > 0 ? ` + the tables of ${schemas} schema(s)` : ''}`;
}
