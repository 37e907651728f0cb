import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// There is no Docker engine on CI's machines: these tests replay a Dockerfile's steps in a
// scratch directory instead, each container path mapped under that directory. What a replay
// can show: the COPY steps, with .dockerignore, give the tree the RUN steps expect, and those
// steps work on the base image's Node and Debian (the machine's). What it cannot: the base
// image itself.

export interface Instruction {
  keyword: string;
  flags: Record<string, string>;
  args: string;
}

export interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** A Dockerfile's stages, their continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword) throw new Error(`Dockerfile: cannot read ${JSON.stringify(line)}`);
    const flags: Record<string, string> = {};
    let args = rest;
    for (let m = /^--(\w+)=(\S+)\s+/.exec(args); m; m = /^--(\w+)=(\S+)\s+/.exec(args)) {
      flags[m[1]] = m[2];
      args = args.slice(m[0].length);
    }
    if (keyword.toUpperCase() === 'FROM') {
      const [, base, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ base, name, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error('Dockerfile: an instruction before FROM');
      stages[stages.length - 1].instructions.push({ keyword: keyword.toUpperCase(), flags, args });
    }
  }
  return stages;
}

/**
 * .dockerignore's patterns as Docker reads them: from the context's root, `*` within one path
 * segment, `**` across any number; a matched folder leaves out everything under it.
 */
export function dockerIgnore(contextDir: string): (relativePath: string) => boolean {
  const file = path.join(contextDir, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'))
    : [];
  if (patterns.some((p) => p.startsWith('!'))) throw new Error('.dockerignore: exceptions (!) are not replayed; extend dockerIgnore()');
  const regexes = patterns.map((p) => new RegExp(`^${globToRegex(path.posix.normalize(p).replace(/^\/+|\/+$/g, ''))}(/.*)?$`));
  return (relativePath) => regexes.some((r) => r.test(relativePath));
}

function globToRegex(glob: string): string {
  const segments = glob.split('/');
  return segments
    .map((segment, i) => {
      const last = i === segments.length - 1;
      if (segment === '**') return last ? '.*' : '(?:[^/]+/)*';
      const literal = segment
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]');
      return last ? literal : `${literal}/`;
    })
    .join('');
}

export interface Replay {
  /** Where each stage's filesystem root is, by stage name and by index. */
  roots: Map<string, string>;
  /** The final stage's working directory, environment and command. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  cmd?: string[];
  /** USER: who the image's processes run as (root when unset). */
  user?: string;
}

export interface ReplayOptions {
  contextDir: string;
  dockerfile: string;
  scratch: string;
  /** Environment a RUN step starts with (PATH, HOME, the npm cache): the base image's, here the machine's. */
  baseEnv: NodeJS.ProcessEnv;
  /** Whether a stage's RUN steps can run on this machine (its base image matches it); skipped otherwise. */
  runsHere?: (stage: Stage) => boolean;
  log?: (line: string) => void;
}

export function replayDockerfile(options: ReplayOptions): Replay {
  const { contextDir, scratch } = options;
  const ignored = dockerIgnore(contextDir);
  const stages = parseDockerfile(readFileSync(options.dockerfile, 'utf8'));
  const roots = new Map<string, string>();
  let last: Replay | undefined;
  stages.forEach((stage, index) => {
    const root = path.join(scratch, `stage-${index}`);
    mkdirSync(root, { recursive: true });
    roots.set(String(index), root);
    if (stage.name) roots.set(stage.name, root);
    const state: Replay = { roots, root, workdir: '/', env: {}, cmd: undefined };
    const inRoot = (containerPath: string) => path.join(root, path.posix.resolve(state.workdir, containerPath));
    for (const { keyword, flags, args } of stage.instructions) {
      options.log?.(`${keyword} ${args}`);
      switch (keyword) {
        case 'WORKDIR':
          state.workdir = path.posix.resolve(state.workdir, args);
          mkdirSync(inRoot('.'), { recursive: true });
          break;
        case 'COPY': {
          const words = args.split(/\s+/);
          const dest = words.pop()!;
          const from = flags.from === undefined ? undefined : roots.get(flags.from);
          if (flags.from !== undefined && !from) throw new Error(`COPY --from=${flags.from}: no such stage`);
          for (const src of words) {
            const source = from ? path.join(from, path.posix.resolve('/', src)) : path.join(contextDir, src);
            // Docker's rules: a folder's contents go into dest; a file goes to dest, or into it when dest ends with '/'.
            const isDir = statSync(source).isDirectory();
            const into = !isDir && dest.endsWith('/') ? path.join(inRoot(dest), path.basename(source)) : inRoot(dest);
            mkdirSync(isDir ? into : path.dirname(into), { recursive: true });
            cpSync(source, into, {
              recursive: true,
              filter: (file) => from !== undefined || !ignored(path.relative(contextDir, file).split(path.sep).join('/')),
            });
          }
          break;
        }
        case 'RUN':
          if (options.runsHere && !options.runsHere(stage)) {
            options.log?.('  (not run: another base image)');
            break;
          }
          execFileSync('/bin/sh', ['-c', args], { cwd: inRoot('.'), env: { ...options.baseEnv, ...state.env }, stdio: ['ignore', 'pipe', 'pipe'] });
          break;
        case 'ENV':
          for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) state.env[m[1]] = m[2].replace(/^"|"$/g, '');
          break;
        case 'CMD':
          state.cmd = JSON.parse(args) as string[];
          break;
        case 'USER':
          state.user = args;
          break;
        default:
          throw new Error(`Dockerfile: ${keyword} is not replayed; extend replayDockerfile()`);
      }
    }
    last = state;
  });
  if (!last) throw new Error(`${options.dockerfile}: no FROM`);
  return last;
}

/** Every file under `dir`, relative to it, with forward slashes. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}
