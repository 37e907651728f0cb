import type { Client } from '@temporalio/client';
import type { BenchOptions, Measurement } from './options';
import type { BenchResults, Measured } from './results';

/** What every measurement needs: the options, the worker and its client, and where figures go. */
export interface BenchContext {
  root: string;
  o: BenchOptions;
  client: Client;
  taskQueue: string;
  workerPid: number;
  results: BenchResults;
  wants(m: Measurement): boolean;
  /** The figures of one method, created on first use (a method keeps its row across rounds). */
  measured(key: string, label: string, bytes?: number, rows?: number): Measured;
  log(line: string): void;
}

export function createContext(fields: Omit<BenchContext, 'wants' | 'measured'>): BenchContext {
  const { results, o } = fields;
  return {
    ...fields,
    wants: (m) => o.only.includes(m),
    measured(key, label, bytes = results.source.bytes, rows = results.source.rows) {
      let m = results.measured.find((x) => x.key === key);
      if (!m) results.measured.push((m = { key, label, runsMs: [], rows, bytes }));
      return m;
    },
  };
}
