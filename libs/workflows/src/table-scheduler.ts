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
export function tableScheduler<T extends ScheduledTable>(tables: readonly T[], options: TableSchedulerOptions) {
  const states = new Map<string, TableState>(tables.map((t) => [t.name, { status: 'pending' }]));
  const state = (name: string) => {
    const s = states.get(name);
    if (!s) throw new Error(`no table ${name} in this pipeline`);
    return s;
  };
  const count = (status: TableStatus) => [...states.values()].filter((s) => s.status === status).length;
  const end = (name: string, status: 'succeeded' | 'failed', reason?: string) => {
    const s = state(name);
    if (s.status !== 'running') throw new Error(`table ${name} ended while ${s.status}`);
    Object.assign(s, { status, ...(reason !== undefined && { reason }) });
  };

  return {
    /** Marks as running, and returns, every table that may start now. */
    startable(): T[] {
      const room = options.maxParallel - count('running');
      const ready = tables
        .filter((t) => state(t.name).status === 'pending' && t.dependsOn.every((d) => state(d).status === 'succeeded'))
        .slice(0, Math.max(0, room));
      for (const t of ready) state(t.name).status = 'running';
      return ready;
    },
    succeeded(name: string): void {
      end(name, 'succeeded');
    },
    failed(name: string, reason: string): void {
      end(name, 'failed', reason);
      for (const dependent of dependentsOf(tables, name)) {
        const s = state(dependent);
        if (s.status === 'pending') Object.assign(s, { status: 'skipped', reason: `${name} failed` });
      }
      if (options.onFailure === 'stop') {
        for (const s of states.values())
          if (s.status === 'pending') Object.assign(s, { status: 'skipped', reason: `stopped after ${name} failed (onFailure: stop)` });
      }
    },
    state,
    count,
    /** Nothing is left to start (some may still run). */
    get allStarted(): boolean {
      return count('pending') === 0;
    },
  };
}

export type TableScheduler<T extends ScheduledTable = ScheduledTable> = ReturnType<typeof tableScheduler<T>>;
