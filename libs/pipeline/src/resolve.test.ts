import { formatPath } from './problems';
import { resolvePipeline, selectTables, toPipelineInput, type PipelineParseResult } from './resolve';

const doc = (extra: Record<string, unknown> = {}) => ({
  name: 'nightly',
  defaults: { source: { connection: 'warehouse' }, target: { connection: 'app', mode: 'append' }, load: { maxParallelLoads: 2 } },
  tables: [
    { source: { table: 'public.users' }, target: { table: 'public.users' } },
    {
      name: 'orders',
      source: { query: 'select * from orders' },
      target: { table: 'app.orders', mode: 'upsert', key: ['id'] },
      load: { method: 'aws_s3' },
      dependsOn: ['public.users'],
    },
  ],
  ...extra,
});

const problems = (r: PipelineParseResult) => (r.ok ? [] : r.problems.map((p) => `${formatPath(p.path)}: ${p.message}`));

describe('resolvePipeline', () => {
  it('lays each table over the defaults and fills in the rest', () => {
    const r = resolvePipeline(doc());
    if (!r.ok) throw new Error(problems(r).join('\n'));
    expect(r.pipeline).toMatchObject({ name: 'nightly', maxParallelTables: 4, onFailure: 'skipDependents' });
    expect(r.pipeline.tables).toEqual([
      {
        name: 'public.users',
        dependsOn: [],
        transfer: {
          source: { connection: 'warehouse', table: 'public.users' },
          target: { connection: 'app', table: 'public.users', mode: 'append', create: 'never', indexes: 'none' },
          unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
          load: { maxParallelLoads: 2, partsPerWorkflow: 1000 },
          s3: {},
          onSchemaChange: 'fail',
          verify: 'checksum',
        },
      },
      {
        name: 'orders',
        dependsOn: ['public.users'],
        transfer: {
          source: { connection: 'warehouse', query: 'select * from orders' },
          target: { connection: 'app', table: 'app.orders', mode: 'upsert', key: ['id'], create: 'never', indexes: 'none' },
          unload: { compression: 'gzip', maxFileSizeMb: 64, parallel: true },
          load: { maxParallelLoads: 2, partsPerWorkflow: 1000, method: 'aws_s3' },
          s3: {},
          onSchemaChange: 'fail',
          verify: 'checksum',
        },
      },
    ]);
  });

  it('round-trips through toPipelineInput', () => {
    const r = resolvePipeline(doc());
    if (!r.ok) throw new Error('invalid');
    const again = resolvePipeline(toPipelineInput(r.pipeline));
    expect(again).toEqual({ ok: true, pipeline: { ...r.pipeline, connections: undefined, s3: undefined } });
  });

  it('reports problems at their path with the fix', () => {
    const r = resolvePipeline(
      doc({
        defaults: {},
        tables: [
          { source: { table: 'a.b', connection: 'w' }, target: { table: 'a.b', connection: 'p', mode: 'replace' }, incremental: { column: 'id' } },
          { source: { table: 'a.c' }, target: { table: 'a.c', connection: 'p' } },
        ],
      }),
    );
    expect(problems(r)).toEqual([
      'tables[0].target.mode: an incremental transfer adds rows above the target\'s high-water mark: use mode "append" or "upsert", not "replace"',
      'tables[1].source.connection: missing: give connection (string): name a connection here or in defaults.source.connection',
    ]);
  });

  it("checks connections against the file's own list, by kind", () => {
    const connections = {
      warehouse: { kind: 'redshift', host: 'rs', database: 'dev', user: 'u', iamRole: 'arn:aws:iam::1:role/r' },
      other: { kind: 'redshift', host: 'rs', database: 'dev', user: 'u', iamRole: 'arn:aws:iam::1:role/r' },
    };
    expect(problems(resolvePipeline(doc({ connections })))).toEqual([
      'tables[0].target.connection: no connection is named "app": define it under connections or use one of warehouse, other',
      'tables[1].target.connection: no connection is named "app": define it under connections or use one of warehouse, other',
    ]);
  });

  it('refuses two unordered tables with the same target', () => {
    const tables = [
      { name: 'x', source: { table: 'a.x' }, target: { table: 'a.t' } },
      { name: 'y', source: { table: 'a.y' }, target: { table: 'a.t' } },
    ];
    expect(problems(resolvePipeline(doc({ tables })))).toEqual([
      'tables[1].target.table: tables "x" and "y" both load a.t and could run at once: make one depend on the other',
    ]);
    expect(problems(resolvePipeline(doc({ tables: [tables[0], { ...tables[1], dependsOn: ['x'] }] })))).toEqual([]);
    // Spelled differently, still one table.
    const spelled = [tables[0], { ...tables[1], target: { table: '"a"."t"' } }];
    expect(problems(resolvePipeline(doc({ tables: spelled })))).toHaveLength(1);
  });

  it('among thousands of tables finds each pair that shares a target, in table order', () => {
    const tables = Array.from({ length: 3000 }, (_, i) => ({ name: `n${i}`, source: { table: `a.s${i}` }, target: { table: `a.t${i}` } }));
    tables[2999].target.table = 'a.t5';
    tables[1500].target.table = '"a"."t7"';
    expect(problems(resolvePipeline(doc({ tables })))).toEqual([
      'tables[1500].target.table: tables "n7" and "n1500" both load "a"."t7" and could run at once: make one depend on the other',
      'tables[2999].target.table: tables "n5" and "n2999" both load a.t5 and could run at once: make one depend on the other',
    ]);
  });
});

describe('selectTables', () => {
  it('keeps the chosen tables and drops dependencies on the others', () => {
    const r = resolvePipeline(doc());
    if (!r.ok) throw new Error('invalid');
    expect(selectTables(r.pipeline, ['orders']).tables.map((t) => [t.name, t.dependsOn])).toEqual([['orders', []]]);
    expect(() => selectTables(r.pipeline, ['nope'])).toThrow('no table is named "nope" in pipeline nightly: choose from public.users, orders');
  });
});
