import os from 'node:os';
import { psql, run } from './processes';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  kernel: string;
  postgres: string;
  node: string;
  pgloader: string;
  disk: string;
}

/** What the figures were measured on, read from the machine itself. */
export async function describeMachine(dataDir: string): Promise<Machine> {
  const cpus = os.cpus();
  const postgres = (await psql('postgres', 'SELECT version()')).trim().replace(/ on x86_64.*| on aarch64.*/, '');
  const pgloader = (await run('pgloader', ['--version']).catch(() => 'pgloader: not installed'))
    .split('\n')[0]
    .replace(/^pgloader version /, '')
    .replace(/"/g, '');
  const df = (await run('df', ['-h', '--output=size,avail', dataDir])).trim().split('\n')[1]?.trim().split(/\s+/) ?? [];
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    postgres,
    node: process.version,
    pgloader,
    disk: df.length === 2 ? `${df[0]} (${df[1]} free)` : 'unknown',
  };
}

/** Free bytes where `dir` lives. */
export async function freeBytes(dir: string): Promise<number> {
  const out = await run('df', ['-B1', '--output=avail', dir]);
  return Number(out.trim().split('\n')[1]);
}
