import { queryRelation, tableRelation } from './relation';

describe('source relations', () => {
  it.each([
    [tableRelation({ schema: 'public', name: 'events' }), { from: '"public"."events"', label: 'public.events', table: { schema: 'public', name: 'events' } }],
    [tableRelation({ schema: 'Sales', name: 'a"b' }), { from: '"Sales"."a""b"', label: '"Sales"."a""b"', table: { schema: 'Sales', name: 'a"b' } }],
    [queryRelation('SELECT 1 AS x'), { from: '(SELECT 1 AS x) AS ferry_source', label: 'query' }],
    [queryRelation('  SELECT 1 AS x ;  \n'), { from: '(SELECT 1 AS x ) AS ferry_source', label: 'query' }],
  ])('%#: reads FROM a quoted table or a parenthesised query without its semicolon', (relation, expected) => {
    expect(relation).toEqual(expected);
  });
});
