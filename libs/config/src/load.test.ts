import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from './load';

const dir = mkdtempSync(path.join(tmpdir(), 'ferry-config-'));

describe('loadConfig', () => {
  it('reads a pipeline file (YAML) as the worker config, ignoring its tables', () => {
    const file = path.join(dir, 'nightly.yaml');
    writeFileSync(
      file,
      [
        'name: nightly',
        's3: { bucket: staging-bucket }',
        'connections:',
        '  warehouse: { kind: redshift, host: rs.example.com, database: dev, user: ferry, passwordEnv: RS_PASSWORD, iamRole: "arn:aws:iam::1:role/unload" }',
        '  app: { kind: postgres, host: db.example.com, database: app, user: ferry, passwordEnv: PG_PASSWORD }',
        'tables:',
        '  - { source: { connection: warehouse, table: public.a }, target: { connection: app, table: public.a } }',
      ].join('\n'),
    );
    const config = loadConfig({ FERRY_CONFIG: file });
    expect(config.s3).toEqual({ bucket: 'staging-bucket', prefix: 'ferry/' });
    expect(Object.keys(config.connections)).toEqual(['warehouse', 'app']);
    expect(config.connections.app).toMatchObject({ kind: 'postgres', loadMethod: 'copy', maxConcurrentLoads: 8, stagingSchema: 'ferry_staging' });
  });

  it('refuses a password written into a connection: only passwordEnv names it', () => {
    const file = path.join(dir, 'secret.json');
    writeFileSync(
      file,
      JSON.stringify({ s3: { bucket: 'b' }, connections: { pg: { kind: 'postgres', host: 'h', database: 'd', user: 'u', password: 'hunter2' } } }),
    );
    expect(() => loadConfig({ FERRY_CONFIG: file })).toThrow('connections.pg: Unrecognized key: "password"');
  });

  it('names the file, the variable and each problem', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ s3: {}, connections: { x: { kind: 'postgres' } } }));
    expect(() => loadConfig({ FERRY_CONFIG: file })).toThrow(`the ferry config file ${file} (FERRY_CONFIG) is invalid:\n  s3.bucket:`);
  });
});
