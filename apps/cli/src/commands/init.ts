import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { loadConfig } from '@ferry/config';
import { previewDiscovery, sourceTableEstimates } from '@ferry/activities';
import { readPipelineFile } from '@ferry/pipeline/file';

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
 * first with its estimated rows and size, each created in the target if missing. The file
 * is checked with the same reader `ferry validate` uses before it is written.
 */
export async function init(o: InitOptions): Promise<void> {
  const config = loadConfig();
  const found = await previewDiscovery(config, { entries: [{ name: o.schema, connection: o.connection, schema: o.schema, include: o.include ?? [], exclude: o.exclude ?? [] }] });
  const estimates = await sourceTableEstimates(config, o.connection, o.schema, found[o.schema]);
  const targetSchema = o.targetSchema ?? o.schema;
  const doc = {
    name: o.schema.replace(/[^A-Za-z0-9_.-]/g, '_'),
    defaults: { source: { connection: o.connection }, target: { connection: o.targetConnection, create: 'ifMissing' } },
    tables: estimates.map((e) => ({ name: e.table, source: { table: `${o.schema}.${e.table}` }, target: { table: `${targetSchema}.${e.table}` } })),
  };
  const header = [
    `# ferry pipeline: ${estimates.length} table(s) of ${o.connection} schema ${o.schema} into ${o.targetConnection} schema ${targetSchema}, largest first.`,
    '# Estimates from SVV_TABLE_INFO:',
    ...estimates.map((e) => `#   ${e.table}: ~${e.rows.toLocaleString('en-US')} rows, ${e.sizeMb.toLocaleString('en-US')} MB`),
    '',
  ].join('\n');
  const text = `${header}${stringify(doc)}`;
  if (!o.out) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(o.out, text);
  readPipelineFile(o.out);
  console.error(`wrote ${o.out}: ${estimates.length} table(s); check it with: ferry validate ${o.out}`);
}
