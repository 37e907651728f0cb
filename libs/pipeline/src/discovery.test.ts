import { selectDiscovered, targetTableFor } from './discovery';
import { expandPipeline, resolvePipeline, selectTables, toPipelineInput, type ResolvedPipeline } from './resolve';

const doc = {
  name: 'migrate',
  defaults: { source: { connection: 'redshift' }, target: { connection: 'postgres', create: 'ifMissing' } },
  tables: [
    { name: 'sales', source: { schema: 'sales', include: ['orders*', 'customers'], exclude: ['*_tmp'] }, target: { schema: 'sales_copy' } },
    { name: 'v2', source: { schema: 'sales', include: ['orders'] }, target: { schema: 'archive', table: '{table}_v2' }, dependsOn: ['sales.orders'] },
    { name: 'report', source: { table: 'public.report' }, target: { table: 'public.report' }, dependsOn: ['sales'] },
  ],
};

function resolved(raw: unknown = doc): ResolvedPipeline {
  const r = resolvePipeline(raw);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.pipeline;
}

describe('discovery entries', () => {
  it('are kept apart from the static tables until the pipeline runs', () => {
    const p = resolved();
    expect(p.tables.map((t) => t.name)).toEqual(['report']);
    expect(p.discoveries.map((d) => [d.name, d.source, d.targetTable])).toEqual([
      ['sales', { connection: 'redshift', schema: 'sales', include: ['orders*', 'customers'], exclude: ['*_tmp'] }, 'sales_copy.{table}'],
      ['v2', { connection: 'redshift', schema: 'sales', include: ['orders'], exclude: [] }, 'archive.{table}_v2'],
    ]);
    expect(p.discoveries[0].transfer.target.create).toBe('ifMissing');
  });

  it('expand into one table per source table, dependencies on the entry becoming dependencies on each', () => {
    const r = expandPipeline(resolved(), { sales: ['customers', 'orders', 'orders_2024'], v2: ['orders'] });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const byName = Object.fromEntries(r.pipeline.tables.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['report', 'sales.customers', 'sales.orders', 'sales.orders_2024', 'v2.orders']);
    expect(byName.report.dependsOn).toEqual(['sales.customers', 'sales.orders', 'sales.orders_2024']);
    expect(byName['v2.orders'].dependsOn).toEqual(['sales.orders']);
    expect(byName['sales.orders'].transfer.source).toEqual({ connection: 'redshift', table: '"sales"."orders"' });
    expect(byName['sales.orders'].transfer.target).toMatchObject({ connection: 'postgres', table: 'sales_copy.orders', create: 'ifMissing' });
    expect(byName['v2.orders'].transfer.target.table).toBe('archive.orders_v2');
  });

  it('an entry with no tables satisfies its dependents', () => {
    const r = expandPipeline(resolved(), { sales: [], v2: [] });
    expect(r.ok && r.pipeline.tables.map((t) => [t.name, t.dependsOn])).toEqual([['report', []]]);
  });

  it('a dependency on an expanded table that was not found fails the expansion', () => {
    const r = expandPipeline(resolved(), { sales: ['customers'], v2: ['orders'] });
    expect(!r.ok && r.problems.map((p) => p.message)).toEqual([expect.stringContaining('no table is named "sales.orders"')]);
  });

  it('--table keeps a dependency on one discovered table when its entry is chosen', () => {
    const chosen = selectTables(resolved(), ['report', 'v2', 'sales']);
    expect(chosen.discoveries.find((d) => d.name === 'v2')!.dependsOn).toEqual(['sales.orders']);
    expect(selectTables(resolved(), ['v2']).discoveries[0].dependsOn).toEqual([]);
  });

  it('round-trip through the document pipelineRun receives', () => {
    const again = resolved(toPipelineInput(resolved()));
    expect(again.discoveries).toEqual(resolved().discoveries);
    expect(again.tables).toEqual(resolved().tables);
  });

  it('check patterns, templates and conflicting fields', () => {
    const r = resolvePipeline({
      name: 'bad',
      tables: [{ source: { connection: 'r', schema: 's', include: ['ord ers'], table: 's.t' }, target: { connection: 'p', table: 'fixed' } }],
    });
    expect(!r.ok && r.problems.map((p) => [p.path.join('.'), p.message])).toEqual([
      ['tables.0.source', 'give source.schema (discover its tables) or source.table/source.query, not both'],
      ['tables.0.source.include.0', expect.stringContaining('"ord ers" is not a table name pattern')],
      ['tables.0.target.table', expect.stringContaining('target.table must contain {table}')],
    ]);
  });
});

describe('patterns', () => {
  it('select by include and exclude, case-insensitively, sorted', () => {
    expect(selectDiscovered(['orders_tmp', 'Orders', 'orders_2024', 'customers', 'venue'], ['orders*', 'customers'], ['*_tmp'])).toEqual([
      'Orders',
      'customers',
      'orders_2024',
    ]);
    expect(selectDiscovered(['b', 'a'], [], [])).toEqual(['a', 'b']);
    expect(selectDiscovered(['t1', 't22'], ['t?'], [])).toEqual(['t1']);
  });

  it('fill the target table, quoting it when needed', () => {
    expect(targetTableFor('x.{table}', 'orders')).toBe('x.orders');
    expect(targetTableFor('x.{table}_v2', 'Orders')).toBe('x."Orders_v2"');
  });
});
