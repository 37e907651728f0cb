import { spawn, type SpawnOptions } from 'node:child_process';

/**
 * Runs a program to completion and returns its stdout; a non-zero exit throws with the
 * tail of stderr, because a benchmark that silently measured a failure is worse than none.
 */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString();
      if (code === 0) return resolve(stdout);
      const tail = (Buffer.concat(err).toString() + stdout).trim().split('\n').slice(-15).join('\n');
      reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${tail}`));
    });
  });
}

/** A shell pipeline under `set -o pipefail`, so a failing first stage is not hidden by the last. */
export function shell(script: string, options: SpawnOptions = {}): Promise<string> {
  return run('bash', ['-c', `set -euo pipefail\n${script}`], options);
}

/** psql without the user's ~/.psqlrc, stopping at the first error. */
export function psql(database: string, sql: string, extra: string[] = []): Promise<string> {
  return run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-d', database, ...extra, '-c', sql]);
}

/** Single-quotes a word for bash. */
export function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Milliseconds an async step takes. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

/** Runs `fn` over `items`, at most `lanes` at once, each lane taking the next item when free. */
export async function inLanes<T, R>(items: T[], lanes: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return results;
}
