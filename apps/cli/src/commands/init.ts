import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '@ferry/config';
import { previewDiscovery, sourceTableEstimates } from '@ferry/activities';
import { readPipelineFile } from '@ferry/pipeline/file';
import { displayName } from '@ferry/sql';

export interface InitOptions {
  connection: string;
  schema: string;
  include?: string[];
  exclude?: string[];
  targetConnection: string;
  targetSchema?: string;
  out?: string;
}

/**
 * `ferry init`: a pipeline file listing every matching table of a source schema, largest
 * first with its estimated rows and size, each created in the target if missing. The text
 * is checked with the same reader `ferry validate` uses before it is written or printed.
 */
export async function init(o: InitOptions): Promise<void> {
  const config = loadConfig();
  const found = await previewDiscovery(config, {
    entries: [{ name: o.schema, connection: o.connection, schema: o.schema, include: o.include ?? [], exclude: o.exclude ?? [] }],
  });
  const estimates = await sourceTableEstimates(config, o.connection, o.schema, found[o.schema]);
  const targetSchema = o.targetSchema ?? o.schema;
  const doc = {
    name: o.schema.replace(/[^A-Za-z0-9_.-]/g, '_'),
    defaults: { source: { connection: o.connection }, target: { connection: o.targetConnection, create: 'ifMissing' } },
    // Names quoted where PostgreSQL needs it; a table's name in the file keeps to the characters workflow ids allow.
    tables: estimates.map((e) => ({
      name: e.table.replace(/[^A-Za-z0-9_.-]/g, '_'),
      source: { table: displayName({ schema: o.schema, name: e.table }) },
      target: { table: displayName({ schema: targetSchema, name: e.table }) },
    })),
  };
  const header = [
    `# ferry pipeline: ${estimates.length} table(s) of ${o.connection} schema ${o.schema} into ${o.targetConnection} schema ${targetSchema}, largest first.`,
    '# Estimates from SVV_TABLE_INFO:',
    ...estimates.map((e) => `#   ${e.table}: ~${e.rows.toLocaleString('en-US')} rows, ${e.sizeMb.toLocaleString('en-US')} MB`),
    '',
  ].join('\n');
  const text = `${header}${stringify(doc)}`;
  checkBeforeWriting(text);
  if (!o.out) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(o.out, text);
  console.error(`wrote ${o.out}: ${estimates.length} table(s); check it with: ferry validate ${o.out}`);
}

/** The file goes through `ferry validate`'s own reader before anyone sees it. */
function checkBeforeWriting(text: string): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-init-'));
  try {
    writeFileSync(path.join(dir, 'pipeline.yaml'), text);
    readPipelineFile(path.join(dir, 'pipeline.yaml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
