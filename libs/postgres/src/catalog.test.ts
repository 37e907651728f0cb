import { describeTarget, primaryKeyOf, selectPrimaryKey, selectTargetColumns } from './catalog';

const session = (rows: object[]) => ({ query: async () => ({ rows, rowCount: rows.length }) }) as never;

describe('the target catalog reader', () => {
  it('looks a table up by its quoted name, as a parameter', () => {
    expect(selectTargetColumns({ schema: 'Sales', name: 'order items' }).values).toEqual(['"Sales"."order items"']);
    expect(selectPrimaryKey({ schema: 'public', name: 't' })).toMatchObject({ values: ['"public"."t"'] });
    expect(selectPrimaryKey({ schema: 'public', name: 't' }).text).toContain('i.indisprimary ORDER BY k.n');
  });

  it('names its rows: a missing table, a table without columns, generated and identity columns, a domain as its base type', async () => {
    expect(await describeTarget(session([]), { schema: 'public', name: 'gone' })).toBeUndefined();
    expect(await describeTarget(session([{ attname: null }]), { schema: 'public', name: 'empty' })).toEqual([]);
    const rows = [
      { attname: 'id', attgenerated: '', attidentity: 'a', base: 'int4', typmod: -1, display: 'integer' },
      { attname: 'total', attgenerated: 's', attidentity: '', base: 'numeric', typmod: 786438, display: 'money_amount' },
    ];
    expect(await describeTarget(session(rows), { schema: 'public', name: 't' })).toEqual([
      { name: 'id', generated: false, identity: true, type: { base: 'int4', typmod: -1, display: 'integer' } },
      { name: 'total', generated: true, identity: false, type: { base: 'numeric', typmod: 786438, display: 'money_amount' } },
    ]);
    expect(await primaryKeyOf(session([{ attname: 'a' }, { attname: 'b' }]), { schema: 'public', name: 't' })).toEqual(['a', 'b']);
  });
});
