import { dependentsOf, type DagNode, type ResolvedPipeline } from '@ferry/pipeline';

export type TableStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

export type ScheduledTable = DagNode;

export interface TableState {
  status: TableStatus;
  /** Why it failed, or why it was skipped. */
  reason?: string;
}

export interface TableSchedulerOptions {
  maxParallel: number;
  /** `stop`: after the first failure, skip every table not yet started. */
  onFailure: ResolvedPipeline['onFailure'];
}

/**
 * Which tables of a pipeline may start, as tables end: a table starts once every table it
 * depends on has succeeded, at most `maxParallel` at once, in the pipeline's order. A failed
 * table skips its transitive dependents (and, with onFailure `stop`, every table not yet
 * started), so no table is ever started that could not run. Pure: pipelineRun drives it with
 * its children's outcomes, and tests drive it by hand.
 */
export function tableScheduler<T extends ScheduledTable>(tables: readonly T[], options: TableSchedulerOptions, ended: Record<string, TableState> = {}) {
  // A run that continued as new starts with what ended before it; nothing was running then.
  const states = new Map<string, TableState>(tables.map((t) => [t.name, ended[t.name] ? { ...ended[t.name] } : { status: 'pending' }]));
  const state = (name: string) => {
    const s = states.get(name);
    if (!s) throw new Error(`no table ${name} in this pipeline`);
    return s;
  };
  // Kept as tables change state, so a pipeline of thousands of tables does not recount them at every end.
  const counts = new Map<TableStatus, number>();
  for (const s of states.values()) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const count = (status: TableStatus) => counts.get(status) ?? 0;
  const move = (s: TableState, status: TableStatus, reason?: string) => {
    counts.set(s.status, count(s.status) - 1);
    counts.set(status, count(status) + 1);
    s.status = status;
    if (reason !== undefined) s.reason = reason;
  };
  const end = (name: string, status: 'succeeded' | 'failed', reason?: string) => {
    const s = state(name);
    if (s.status !== 'running') throw new Error(`table ${name} ended while ${s.status}`);
    move(s, status, reason);
  };

  return {
    /** Marks as running, and returns, every table that may start now. */
    startable(): T[] {
      const room = options.maxParallel - count('running');
      const ready: T[] = [];
      for (const t of tables) {
        if (ready.length >= room) break;
        if (state(t.name).status === 'pending' && t.dependsOn.every((d) => state(d).status === 'succeeded')) ready.push(t);
      }
      for (const t of ready) move(state(t.name), 'running');
      return ready;
    },
    succeeded(name: string): void {
      end(name, 'succeeded');
    },
    failed(name: string, reason: string): void {
      end(name, 'failed', reason);
      for (const dependent of dependentsOf(tables, name)) {
        const s = state(dependent);
        if (s.status === 'pending') move(s, 'skipped', `${name} failed`);
      }
      if (options.onFailure === 'stop') {
        for (const s of states.values()) if (s.status === 'pending') move(s, 'skipped', `stopped after ${name} failed (onFailure: stop)`);
      }
    },
    state,
    count,
    /** Every table that has ended, as a run continuing as new hands it on. */
    ended(): Record<string, TableState> {
      return Object.fromEntries([...states].filter(([, s]) => s.status !== 'pending' && s.status !== 'running').map(([name, s]) => [name, { ...s }]));
    },
    /** Nothing is left to start (some may still run). */
    get allStarted(): boolean {
      return count('pending') === 0;
    },
  };
}

export type TableScheduler<T extends ScheduledTable = ScheduledTable> = ReturnType<typeof tableScheduler<T>>;
