import { checkDag, dependentsOf, waves } from './dag';

const node = (name: string, ...dependsOn: string[]) => ({ name, dependsOn });

describe('checkDag', () => {
  it('accepts a DAG', () => {
    expect(checkDag([node('a'), node('b', 'a'), node('c', 'a', 'b')])).toEqual([]);
  });

  it('names a cycle with its path', () => {
    expect(checkDag([node('a', 'c'), node('b', 'a'), node('c', 'b'), node('d')])).toEqual([
      { path: ['tables', 0, 'dependsOn'], message: 'dependsOn forms a cycle: a → c → b → a: remove one of these dependencies' },
    ]);
  });

  it('rejects unknown names, self-dependencies and duplicate names', () => {
    expect(checkDag([node('a', 'x'), node('b', 'b'), node('a')]).map((p) => p.message)).toEqual([
      'table name "a" is used twice (also tables[0]): give one of them another name',
      'no table is named "x": dependsOn takes names of this file\'s tables (a, b)',
      'table "b" depends on itself: remove it from its own dependsOn',
    ]);
  });
});

describe('waves and dependents', () => {
  const dag = [node('a'), node('b', 'a'), node('c'), node('d', 'b', 'c'), node('e', 'c')];
  it('groups tables so each depends only on earlier waves', () => {
    expect(waves(dag)).toEqual([['a', 'c'], ['b', 'e'], ['d']]);
  });
  it('finds dependents through others', () => {
    expect([...dependentsOf(dag, 'a')].sort()).toEqual(['b', 'd']);
    expect([...dependentsOf(dag, 'd')]).toEqual([]);
  });
});
