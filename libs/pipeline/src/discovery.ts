import { displayIdent, quoteQualified } from '@ferry/sql';
import { tableTransferInputSchema, type TableTransferOptions } from './transfer-input';
import type { Problem } from './problems';

/**
 * A pipeline entry that names a schema instead of a table: its tables are found in the
 * source's catalog when the pipeline runs (so a scheduled pipeline picks up new tables),
 * and each becomes a table of its own, `<entry>.<table>`, loaded into the target schema.
 */
export interface DiscoveryEntry {
  name: string;
  dependsOn: string[];
  source: { connection: string; schema: string; include: string[]; exclude: string[] };
  /** `{table}` stands for the source table's name. */
  targetTable: string;
  /** The table's transfer with a placeholder table: every setting but the names. */
  transfer: TableTransferOptions;
}

export const TABLE_PLACEHOLDER = '{table}';

/** Patterns are table names with `*` (any run of characters) and `?` (one character). */
const PATTERN = /^[A-Za-z0-9_$*?]+$/;

export function patternProblem(pattern: string): string | undefined {
  return PATTERN.test(pattern)
    ? undefined
    : `${JSON.stringify(pattern)} is not a table name pattern: use letters, digits, "_", "$", "*" (any characters) and "?" (one character)`;
}

function patternRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[$]/g, '\\$').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
}

/** Names that match an include pattern (every name when there is none) and no exclude pattern. */
export function selectDiscovered(names: readonly string[], include: readonly string[], exclude: readonly string[]): string[] {
  const inc = include.map(patternRegex);
  const exc = exclude.map(patternRegex);
  return names.filter((n) => (inc.length === 0 || inc.some((r) => r.test(n))) && !exc.some((r) => r.test(n))).sort();
}

/** The name the expanded table goes by, and the target table it loads. */
export function expandedName(entry: string, table: string): string {
  return `${entry}.${table}`;
}

/** `schema.{table}_v2` for table `Orders` → `schema."Orders_v2"`: the table part is quoted when it needs to be. */
export function targetTableFor(template: string, table: string): string {
  const dot = template.lastIndexOf('.');
  return `${template.slice(0, dot)}.${displayIdent(
    template
      .slice(dot + 1)
      .split(TABLE_PLACEHOLDER)
      .join(table),
  )}`;
}

/** A discovery entry's table for one found source table: the entry's transfer with the names filled in. */
export function discoveredTransfer(entry: DiscoveryEntry, table: string): TableTransferOptions {
  return {
    ...entry.transfer,
    source: { connection: entry.source.connection, table: quoteQualified({ schema: entry.source.schema, name: table }) },
    target: { ...entry.transfer.target, table: targetTableFor(entry.targetTable, table) },
  };
}

/**
 * Checks a discovery entry's merged settings as a transfer of a stand-in table, so a
 * mistake in them shows up in `ferry validate`, not when the pipeline runs.
 */
export function checkDiscoveryEntry(
  merged: { source: Record<string, unknown>; target: Record<string, unknown> } & Record<string, unknown>,
  index: number,
): { entry?: Omit<DiscoveryEntry, 'name' | 'dependsOn'>; problems: Problem[] } {
  const problems: Problem[] = [];
  const {
    schema,
    include = [],
    exclude = [],
    table,
    query,
    ...source
  } = merged.source as { schema: string; include?: string[]; exclude?: string[]; table?: string; query?: string };
  if (table !== undefined || query !== undefined) {
    problems.push({ path: ['tables', index, 'source'], message: 'give source.schema (discover its tables) or source.table/source.query, not both' });
  }
  for (const [field, list] of [
    ['include', include],
    ['exclude', exclude],
  ] as const) {
    list.forEach((p, j) => {
      const problem = patternProblem(p);
      if (problem) problems.push({ path: ['tables', index, 'source', field, j], message: problem });
    });
  }
  // Each table keeps its name in the target schema (by default the source's), unless target.table is a template.
  const { schema: targetSchema, table: targetTemplate, ...target } = merged.target as { schema?: string; table?: string };
  const template = targetTemplate ?? TABLE_PLACEHOLDER;
  const targetTable = template.includes('.') ? template : `${displayIdent(targetSchema ?? schema)}.${template}`;
  if (!targetTable.includes(TABLE_PLACEHOLDER)) {
    problems.push({
      path: ['tables', index, 'target', 'table'],
      message: `a discovery entry loads many tables: target.table must contain ${TABLE_PLACEHOLDER} (e.g. '${TABLE_PLACEHOLDER}_v2'), or leave it out to keep each table's name`,
    });
  }
  const probe = tableTransferInputSchema.safeParse({
    ...merged,
    source: { ...source, table: `${displayIdent(schema)}.probe` },
    target: { ...target, table: targetTableFor(targetTable, 'probe') },
  });
  if (!probe.success) {
    for (const issue of probe.error.issues) problems.push({ path: ['tables', index, ...(issue.path as (string | number)[])], message: issue.message });
  }
  if (problems.length > 0 || !probe.success) return { problems };
  return { entry: { source: { connection: probe.data.source.connection, schema, include, exclude }, targetTable, transfer: probe.data }, problems };
}
