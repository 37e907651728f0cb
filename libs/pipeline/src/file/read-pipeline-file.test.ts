import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipelineJsonSchema } from '../json-schema';
import { PipelineFileError, readPipelineFile } from './read-pipeline-file';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-pipeline-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};
const problemsOf = (file: string) => {
  try {
    readPipelineFile(file);
  } catch (err) {
    if (err instanceof PipelineFileError) return err.problems;
    throw err;
  }
  throw new Error('no error');
};

describe('readPipelineFile', () => {
  it('names the file, line and column, the path inside and the fix', () => {
    const file = write(
      'bad.yaml',
      [
        'name: bad',
        'defaults:',
        '  source: { connection: redshift }',
        '  target: { connection: postgres }',
        'tables:',
        '  - source: { table: public.a }',
        '    target: { table: public.a, mode: merge }',
        '    unload: { compresion: gzip }',
        '',
      ].join('\n'),
    );
    expect(problemsOf(file)).toEqual([
      `${file}:7:38: tables[0].target.mode: Invalid option: expected one of "replace"|"append"|"upsert"|"sync"`,
      `${file}:8:13: tables[0].unload: unknown key "compresion": check the spelling (docs/pipeline.schema.json lists every key)`,
    ]);
  });

  it('points a dependency cycle at the table that starts it', () => {
    const file = write(
      'cycle.yaml',
      'name: c\ndefaults: {source: {connection: r}, target: {connection: p}}\ntables:\n  - {name: a, source: {table: s.a}, target: {table: s.a}, dependsOn: [b]}\n  - {name: b, source: {table: s.b}, target: {table: s.b}, dependsOn: [a]}\n',
    );
    expect(problemsOf(file)).toEqual([`${file}:4:70: tables[0].dependsOn: dependsOn forms a cycle: a → b → a: remove one of these dependencies`]);
  });

  it('reports YAML syntax errors with their place', () => {
    const file = write('syntax.yaml', 'name: x\ntables:\n  - source: [\n');
    expect(problemsOf(file)).toEqual([`${file}:4:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`]);
  });

  it('reads the example pipeline, whose JSON twin (for `temporal workflow start --input-file`) says the same', () => {
    const root = path.resolve(__dirname, '../../../..');
    const yaml = readPipelineFile(path.join(root, 'examples/zipcodes.pipeline.yaml'));
    expect(readPipelineFile(path.join(root, 'examples/zipcodes.pipeline.json'))).toEqual(yaml);
    expect(yaml.tables.map((t) => t.name)).toEqual(['zipcodes', 'zipcodes-via-aws_s3']);
  });
});

describe('docs/pipeline.schema.json', () => {
  it('is the schema generated from the zod schema (regenerate: npx ferry json-schema --out docs/pipeline.schema.json)', () => {
    const committed = JSON.parse(readFileSync(path.resolve(__dirname, '../../../../docs/pipeline.schema.json'), 'utf8'));
    expect(committed).toEqual(pipelineJsonSchema());
  });
});
