import { displayName, parseQualifiedName } from '@ferry/sql';
import { checkDag, type DagNode } from './dag';
import { checkDiscoveryEntry, discoveredTransfer, expandedName, type DiscoveryEntry } from './discovery';
import { pipelineSchema, type Pipeline, type PipelineInput } from './pipeline-schema';
import { problemsOf, type Problem } from './problems';
import { tableTransferInputSchema, type TableTransferOptions } from './transfer-input';

export interface PipelineTable {
  name: string;
  dependsOn: string[];
  /** The table's `tableTransfer` input: its entry laid over the file's defaults, checked. */
  transfer: TableTransferOptions;
}

export interface ResolvedPipeline {
  name: string;
  maxParallelTables: number;
  onFailure: Pipeline['onFailure'];
  historyLimit: Pipeline['historyLimit'];
  listedTables: number;
  smallTables: Pipeline['smallTables'];
  tables: PipelineTable[];
  /** Entries that name a schema: their tables join `tables` when the pipeline runs (expandPipeline). */
  discoveries: DiscoveryEntry[];
  /** From the file, for `ferry plan` and `validate`; never passed to workflows. */
  connections?: Pipeline['connections'];
  s3?: Pipeline['s3'];
}

export type PipelineParseResult = { ok: true; pipeline: ResolvedPipeline } | { ok: false; problems: Problem[] };

/**
 * Checks a pipeline document (the parsed YAML, or `pipelineRun`'s input) and turns each table
 * into its `tableTransfer` input. Pure and deterministic, so `pipelineRun` runs it too.
 */
export function resolvePipeline(raw: unknown): PipelineParseResult {
  const parsed = pipelineSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error) };
  const doc = parsed.data;
  const problems: Problem[] = [];
  const tables: PipelineTable[] = [];
  const discoveries: DiscoveryEntry[] = [];
  doc.tables.forEach((entry, i) => {
    const d = doc.defaults ?? {};
    const { name, dependsOn, ...own } = entry;
    const merged = {
      source: { ...d.source, ...own.source },
      target: { ...d.target, ...own.target },
      unload: { ...d.unload, ...own.unload },
      load: { ...d.load, ...own.load },
      s3: { ...d.s3, ...own.s3 },
      ...(own.incremental ? { incremental: own.incremental } : {}),
      ...((own.onSchemaChange ?? d.onSchemaChange) ? { onSchemaChange: own.onSchemaChange ?? d.onSchemaChange } : {}),
      ...((own.verify ?? d.verify) ? { verify: own.verify ?? d.verify } : {}),
      ...((own.sync ?? d.sync) ? { sync: { ...d.sync, ...own.sync } } : {}),
    };
    const discoverSchema = 'schema' in merged.source ? merged.source.schema : undefined;
    if (typeof discoverSchema === 'string') {
      const checked = checkDiscoveryEntry(merged, i);
      problems.push(...checked.problems.map(explainMissingConnection));
      if (checked.entry) {
        problems.push(...checkConnections(doc, checked.entry.transfer, i));
        discoveries.push({ name: name ?? discoverSchema, dependsOn: dependsOn ?? [], ...checked.entry });
      }
      return;
    }
    const transfer = tableTransferInputSchema.safeParse(merged);
    if (!transfer.success) {
      problems.push(...problemsOf(transfer.error, ['tables', i]).map(explainMissingConnection));
      return;
    }
    problems.push(...checkConnections(doc, transfer.data, i));
    tables.push({ name: name ?? transfer.data.target.table, dependsOn: dependsOn ?? [], transfer: transfer.data });
  });
  if (problems.length > 0) return { ok: false, problems };
  problems.push(...checkDag(staticDag({ tables, discoveries })), ...checkTargets(tables));
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    pipeline: {
      name: doc.name,
      maxParallelTables: doc.maxParallelTables,
      onFailure: doc.onFailure,
      historyLimit: doc.historyLimit,
      listedTables: doc.listedTables,
      smallTables: doc.smallTables,
      tables,
      discoveries,
      connections: doc.connections,
      s3: doc.s3,
    },
  };
}

/** The DAG before discovery: a discovery entry stands in for all of its tables. */
export function staticDag(pipeline: Pick<ResolvedPipeline, 'tables' | 'discoveries'>): DagNode[] {
  return [...pipeline.tables, ...pipeline.discoveries].map((t) => ({ name: t.name, dependsOn: t.dependsOn.map((d) => entryOf(d, pipeline.discoveries)) }));
}

/** `sales.orders` names one table of discovery entry `sales`: for the static check, it is the entry. */
function entryOf(dependency: string, discoveries: DiscoveryEntry[]): string {
  const entry = discoveries.find((d) => dependency.startsWith(`${d.name}.`));
  return entry ? entry.name : dependency;
}

/**
 * The pipeline with every discovery entry replaced by the tables found for it (`found` maps
 * an entry's name to its source tables): each becomes `<entry>.<table>`, depending on what
 * the entry depended on; a dependency on an entry becomes one on each of its tables. The
 * result is checked again, as a file listing those tables would be.
 */
export function expandPipeline(pipeline: ResolvedPipeline, found: Record<string, string[]>): PipelineParseResult {
  const expansion = new Map(pipeline.discoveries.map((d) => [d.name, (found[d.name] ?? []).map((t) => expandedName(d.name, t))]));
  const rewrite = (deps: string[]) => deps.flatMap((d) => expansion.get(d) ?? [d]);
  const tables: PipelineTable[] = [
    ...pipeline.tables.map((t) => ({ ...t, dependsOn: rewrite(t.dependsOn) })),
    ...pipeline.discoveries.flatMap((d) =>
      (found[d.name] ?? []).map((table) => ({ name: expandedName(d.name, table), dependsOn: rewrite(d.dependsOn), transfer: discoveredTransfer(d, table) })),
    ),
  ];
  const problems = [...checkDag(tables), ...checkTargets(tables)];
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, pipeline: { ...pipeline, tables, discoveries: [] } };
}

function explainMissingConnection(p: Problem): Problem {
  const last = p.path.slice(-2).join('.');
  if (last === 'source.connection' || last === 'target.connection') {
    return { ...p, message: `${p.message}: name a connection here or in defaults.${last}` };
  }
  return p;
}

/** When the file lists its connections, each table must use one of the right kind. */
function checkConnections(doc: Pipeline, t: TableTransferOptions, i: number): Problem[] {
  if (!doc.connections) return [];
  const problems: Problem[] = [];
  const known = doc.connections;
  for (const [side, kind] of [
    ['source', 'redshift'],
    ['target', 'postgres'],
  ] as const) {
    const name = t[side].connection;
    const conn = known[name];
    if (conn?.kind === kind) continue;
    const fitting = Object.keys(known).filter((k) => known[k].kind === kind);
    problems.push({
      path: ['tables', i, side, 'connection'],
      message: conn
        ? `connection ${JSON.stringify(name)} is a ${conn.kind} connection; a ${side} needs a ${kind} one (${fitting.join(', ') || 'none defined'})`
        : `no connection is named ${JSON.stringify(name)}: define it under connections or use one of ${Object.keys(known).join(', ')}`,
    });
  }
  return problems;
}

/**
 * Only one run at a time may load a target; two tables with the same target would make
 * one of them fail as busy unless dependsOn orders them.
 */
function checkTargets(tables: PipelineTable[]): Problem[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
    byName.get(from)!.dependsOn.some((d) => d === to || (!seen.has(d) && (seen.add(d), reaches(d, to, seen))));
  // Grouped by target first: a schema of thousands of tables compares only tables that share one.
  const byTarget = new Map<string, number[]>();
  tables.forEach((t, i) => {
    const key = `${t.transfer.target.connection}\u0000${normalTable(t.transfer.target.table)}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), i]);
  });
  const problems: Problem[] = [];
  for (const indexes of byTarget.values()) {
    indexes.forEach((i, k) =>
      indexes.slice(0, k).forEach((j) => {
        const [a, b] = [tables[i], tables[j]];
        if (!reaches(a.name, b.name) && !reaches(b.name, a.name)) {
          problems.push({
            path: ['tables', i, 'target', 'table'],
            message: `tables ${JSON.stringify(b.name)} and ${JSON.stringify(a.name)} both load ${a.transfer.target.table} and could run at once: make one depend on the other`,
          });
        }
      }),
    );
  }
  return problems.sort((x, y) => Number(x.path[1]) - Number(y.path[1]));
}

/** `orders`, `public.orders` and `"public"."orders"` are one table. */
function normalTable(name: string): string {
  try {
    return displayName(parseQualifiedName(name));
  } catch {
    return name; // prepare reports the bad name when the table runs
  }
}

/** The tables named, with dependencies on tables left out dropped (`ferry run --table`). */
export function selectTables(pipeline: ResolvedPipeline, names: string[]): ResolvedPipeline {
  const known = [...pipeline.tables, ...pipeline.discoveries].map((t) => t.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new Error(`no table is named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in pipeline ${pipeline.name}: choose from ${known.join(', ')}`);
  }
  const chosen = new Set(names);
  // A dependency on one table of a discovery entry stays when the entry is chosen.
  const kept = (d: string) => chosen.has(entryOf(d, pipeline.discoveries));
  const tables = pipeline.tables.filter((t) => chosen.has(t.name)).map((t) => ({ ...t, dependsOn: t.dependsOn.filter(kept) }));
  const discoveries = pipeline.discoveries.filter((d) => chosen.has(d.name)).map((d) => ({ ...d, dependsOn: d.dependsOn.filter(kept) }));
  return { ...pipeline, tables, discoveries };
}

/**
 * The resolved pipeline as a document `pipelineRun` accepts: defaults already applied,
 * connections and s3 left out (the worker has its own).
 */
export function toPipelineInput(pipeline: ResolvedPipeline): PipelineInput {
  return {
    name: pipeline.name,
    maxParallelTables: pipeline.maxParallelTables,
    onFailure: pipeline.onFailure,
    historyLimit: pipeline.historyLimit,
    listedTables: pipeline.listedTables,
    smallTables: pipeline.smallTables,
    tables: [
      ...pipeline.tables.map((t) => ({ name: t.name, ...(t.dependsOn.length > 0 ? { dependsOn: t.dependsOn } : {}), ...t.transfer })),
      ...pipeline.discoveries.map((d) => {
        const { source, target, ...rest } = d.transfer;
        const { table: _placeholder, ...targetSettings } = target;
        return {
          name: d.name,
          ...(d.dependsOn.length > 0 ? { dependsOn: d.dependsOn } : {}),
          ...rest,
          source: { connection: source.connection, schema: d.source.schema, include: d.source.include, exclude: d.source.exclude },
          target: { ...targetSettings, table: d.targetTable },
        };
      }),
    ],
  };
}
