import { displayName, parseQualifiedName } from '@ferry/sql';
import { checkDag } from './dag';
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
  tables: PipelineTable[];
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
    };
    const transfer = tableTransferInputSchema.safeParse(merged);
    if (!transfer.success) {
      problems.push(...problemsOf(transfer.error, ['tables', i]).map(explainMissingConnection));
      return;
    }
    problems.push(...checkConnections(doc, transfer.data, i));
    tables.push({ name: name ?? transfer.data.target.table, dependsOn: dependsOn ?? [], transfer: transfer.data });
  });
  if (problems.length > 0) return { ok: false, problems };
  problems.push(...checkDag(tables), ...checkTargets(tables));
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    pipeline: { name: doc.name, maxParallelTables: doc.maxParallelTables, onFailure: doc.onFailure, tables, connections: doc.connections, s3: doc.s3 },
  };
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
  for (const [side, kind] of [['source', 'redshift'], ['target', 'postgres']] as const) {
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
  const problems: Problem[] = [];
  tables.forEach((a, i) =>
    tables.slice(0, i).forEach((b) => {
      const sameTarget = a.transfer.target.connection === b.transfer.target.connection && sameTable(a.transfer.target.table, b.transfer.target.table);
      if (sameTarget && !reaches(a.name, b.name) && !reaches(b.name, a.name)) {
        problems.push({
          path: ['tables', i, 'target', 'table'],
          message: `tables ${JSON.stringify(b.name)} and ${JSON.stringify(a.name)} both load ${a.transfer.target.table} and could run at once: make one depend on the other`,
        });
      }
    }),
  );
  return problems;
}

/** `orders`, `public.orders` and `"public"."orders"` are one table. */
function sameTable(a: string, b: string): boolean {
  const parse = (name: string) => {
    try {
      return displayName(parseQualifiedName(name));
    } catch {
      return name; // prepare reports the bad name when the table runs
    }
  };
  return parse(a) === parse(b);
}

/** The tables named, with dependencies on tables left out dropped (`ferry run --table`). */
export function selectTables(pipeline: ResolvedPipeline, names: string[]): ResolvedPipeline {
  const unknown = names.filter((n) => !pipeline.tables.some((t) => t.name === n));
  if (unknown.length > 0) {
    throw new Error(`no table is named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in pipeline ${pipeline.name}: choose from ${pipeline.tables.map((t) => t.name).join(', ')}`);
  }
  const chosen = new Set(names);
  const tables = pipeline.tables.filter((t) => chosen.has(t.name)).map((t) => ({ ...t, dependsOn: t.dependsOn.filter((d) => chosen.has(d)) }));
  return { ...pipeline, tables };
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
    tables: pipeline.tables.map((t) => ({ name: t.name, ...(t.dependsOn.length > 0 ? { dependsOn: t.dependsOn } : {}), ...t.transfer })),
  };
}
