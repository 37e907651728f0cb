import type { Problem } from './problems';

export interface DagNode {
  name: string;
  dependsOn: string[];
}

/**
 * Checks that `dependsOn` forms a DAG over known, distinct names; each problem carries the
 * path of the table entry it is about.
 */
export function checkDag(nodes: readonly DagNode[]): Problem[] {
  const problems: Problem[] = [];
  const index = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (index.has(n.name)) {
      problems.push({
        path: ['tables', i, 'name'],
        message: `table name ${JSON.stringify(n.name)} is used twice (also tables[${index.get(n.name)}]): give one of them another name`,
      });
    } else index.set(n.name, i);
  });
  nodes.forEach((n, i) =>
    n.dependsOn.forEach((d, j) => {
      if (!index.has(d)) {
        problems.push({
          path: ['tables', i, 'dependsOn', j],
          message: `no table is named ${JSON.stringify(d)}: dependsOn takes names of this file's tables (${[...index.keys()].join(', ')})`,
        });
      } else if (d === n.name) {
        problems.push({ path: ['tables', i, 'dependsOn', j], message: `table ${JSON.stringify(d)} depends on itself: remove it from its own dependsOn` });
      }
    }),
  );
  if (problems.length > 0) return problems;
  const cycle = findCycle(nodes);
  if (cycle) {
    problems.push({
      path: ['tables', index.get(cycle[0])!, 'dependsOn'],
      message: `dependsOn forms a cycle: ${cycle.join(' → ')}: remove one of these dependencies`,
    });
  }
  return problems;
}

/** A cycle as a list of names that starts and ends with the same name, or undefined. */
function findCycle(nodes: readonly DagNode[]): string[] | undefined {
  const deps = new Map(nodes.map((n) => [n.name, n.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const d of deps.get(name) ?? []) {
      const cycle = visit(d);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const n of nodes) {
    const cycle = visit(n.name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Every table that depends on `name`, directly or through others. */
export function dependentsOf(nodes: readonly DagNode[], name: string): Set<string> {
  const found = new Set<string>();
  const walk = (n: string) => {
    for (const node of nodes) {
      if (node.dependsOn.includes(n) && !found.has(node.name)) {
        found.add(node.name);
        walk(node.name);
      }
    }
  };
  walk(name);
  return found;
}

/** Tables grouped into waves: each wave depends only on earlier ones. Assumes checkDag passed. */
export function waves(nodes: readonly DagNode[]): string[][] {
  const level = new Map<string, number>();
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const levelOf = (name: string): number => {
    if (!level.has(name)) level.set(name, Math.max(-1, ...byName.get(name)!.dependsOn.map(levelOf)) + 1);
    return level.get(name)!;
  };
  const result: string[][] = [];
  for (const n of nodes) (result[levelOf(n.name)] ??= []).push(n.name);
  return result;
}
