import { parseTableTransferInput } from './transfer-input';

describe('parseTableTransferInput', () => {
  const minimal = { source: { connection: 'redshift', table: 'public.t' }, target: { connection: 'postgres', table: 'public.t' } };

  it('fills in defaults', () => {
    const r = parseTableTransferInput(minimal);
    expect(r).toEqual({
      ok: true,
      value: {
        ...minimal,
        target: { ...minimal.target, mode: 'replace', create: 'never', indexes: 'none' },
        unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
        load: { maxParallelLoads: 4, partsPerWorkflow: 1000 },
        s3: {},
        onSchemaChange: 'fail',
        verify: 'checksum',
      },
    });
  });

  it('requires exactly one of table and query', () => {
    const r = parseTableTransferInput({ ...minimal, source: { connection: 'redshift', table: 't', query: 'select 1' } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/source: give exactly one of source.table and source.query/);
  });

  it('names unknown keys, so a password in the input is refused', () => {
    const r = parseTableTransferInput({ ...minimal, target: { ...minimal.target, password: 'x' } });
    expect(!r.ok && r.message).toMatch(/target: Unrecognized key: "password"/);
  });

  it('reports every problem with its path', () => {
    const r = parseTableTransferInput({ source: {}, load: { maxParallelLoads: 0 } });
    expect(r.ok).toBe(false);
    const message = !r.ok ? r.message : '';
    expect(message).toMatch(/source.connection/);
    expect(message).toMatch(/target/);
    expect(message).toMatch(/load.maxParallelLoads/);
  });
});
