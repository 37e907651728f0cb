import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, chownSync, createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Replay } from './dockerfile-replay';

// docker-compose.yml without Docker: every service's command runs as a process with the
// service's environment, inside network and mount namespaces of its own (`unshare`, as root)
// where each service name resolves to 127.0.0.1 and each port is free, as on compose's
// network. Services built from the Dockerfile run in its replay; images from elsewhere run as
// the machine's build of the same program (tools/setup.sh pins the versions compose names).

interface ComposeService {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: 'service_started' | 'service_healthy' | 'service_completed_successfully' }>;
  healthcheck?: { test: string[] };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

export function readCompose(file: string): ComposeFile {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as ComposeFile;
}

export interface ComposeOptions {
  compose: ComposeFile;
  composeDir: string;
  /** The replay of the Dockerfile that services with `build: .` run from. */
  image: Replay;
  /** The replay of tools/docker/postgres.Dockerfile's COPY steps (its init scripts). */
  postgresImage: Replay;
  scratch: string;
  /** Where the pinned Go-built services are (.tools/bin). */
  toolsBin: string;
  log: (line: string) => void;
}

interface Running {
  child?: ChildProcess;
  exit?: number | null;
}

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/** Runs from inside the namespaces: loopback up, the service names in /etc/hosts, a private socket folder for PostgreSQL. */
export function enterComposeNetwork(compose: ComposeFile, scratch: string): void {
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  const hosts = path.join(scratch, 'hosts');
  writeFileSync(hosts, `127.0.0.1 localhost ${Object.keys(compose.services).join(' ')}\n`);
  execFileSync('mount', ['--bind', hosts, '/etc/hosts']);
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', '/var/run/postgresql']);
  execFileSync('chown', ['postgres:postgres', '/var/run/postgresql']);
}

/** Starts every service in depends_on order and resolves once the last one has started. */
export async function composeUp(o: ComposeOptions): Promise<{ uidOf(service: string): number; stop(): void }> {
  const running = new Map<string, Running>();
  const healthy = new Set<string>();
  const pending = new Set(Object.keys(o.compose.services));
  const ready = (name: string, condition: string) =>
    condition === 'service_started' ? running.has(name) : condition === 'service_healthy' ? healthy.has(name) : running.get(name)?.exit === 0;
  for (let rounds = 0; pending.size > 0; rounds++) {
    if (rounds > 600) throw new Error(`compose: never started ${[...pending].join(', ')} (see ${o.scratch}/logs)`);
    for (const name of pending) {
      const service = o.compose.services[name];
      const deps = Object.entries(service.depends_on ?? {});
      const failed = deps.find(([dep]) => running.get(dep)?.exit !== undefined && running.get(dep)?.exit !== 0);
      if (failed) throw new Error(`compose: ${name} depends on ${failed[0]}, which exited with ${running.get(failed[0])?.exit} (see ${o.scratch}/logs)`);
      if (!deps.every(([dep, { condition }]) => ready(dep, condition))) continue;
      pending.delete(name);
      o.log(`compose: starting ${name}`);
      const state: Running = {};
      running.set(name, state);
      state.child = await start(o, name, service);
      state.child.on('exit', (code) => (state.exit = code));
      if (service.healthcheck) void watchHealth(o, name, service.healthcheck.test, state, () => healthy.add(name));
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    /** The user id a service's process runs as, from /proc. */
    uidOf(service) {
      const pid = running.get(service)?.child?.pid;
      return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    },
    stop() {
      for (const { child } of running.values()) if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    },
  };
}

async function watchHealth(o: ComposeOptions, name: string, test: string[], state: Running, onHealthy: () => void) {
  while (state.exit === undefined) {
    if (await probe(o, test)) {
      o.log(`compose: ${name} is healthy`);
      return onHealthy();
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function probe(o: ComposeOptions, test: string[]): Promise<boolean> {
  const [kind, program, ...args] = test;
  if (kind !== 'CMD') throw new Error(`compose: healthcheck ${kind} is not replayed`);
  // MinIO's image checks itself with its bundled client, mc, which the machine lacks: the
  // same readiness endpoint `mc ready` asks, over HTTP.
  if (program === 'mc' && args.join(' ') === 'ready local') {
    return fetch('http://127.0.0.1:9000/minio/health/ready').then(
      (r) => r.ok,
      () => false,
    );
  }
  const bin = program === 'temporal' ? path.join(o.toolsBin, 'temporal') : program === 'pg_isready' ? path.join(POSTGRES_BIN, 'pg_isready') : program;
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: path.join(o.image.root, o.image.workdir), stdio: 'ignore' });
    child.on('exit', (code) => resolve(code === 0));
    child.on('error', () => resolve(false));
  });
}

async function start(o: ComposeOptions, name: string, service: ComposeService): Promise<ChildProcess> {
  const logs = path.join(o.scratch, 'logs');
  mkdirSync(logs, { recursive: true });
  const log = createWriteStream(path.join(logs, `${name}.log`));
  const run = (command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number }) => {
    const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return child;
  };
  const env = service.environment ?? {};
  const base = { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_cache: process.env.npm_config_cache };
  const volumes = (service.volumes ?? []).map((v) => {
    const [from, to] = v.split(':');
    const hostPath = from.startsWith('.') ? path.resolve(o.composeDir, from) : path.join(o.scratch, 'volumes', from);
    mkdirSync(hostPath, { recursive: true });
    return { hostPath, containerPath: to };
  });

  if (service.build === '.' || (typeof service.build === 'object' && service.build.context === '.' && !service.build.dockerfile)) {
    for (const v of volumes) {
      const mountPoint = path.join(o.image.root, v.containerPath);
      mkdirSync(mountPoint, { recursive: true });
      execFileSync('mount', ['--bind', v.hostPath, mountPoint]);
    }
    const [command, ...args] = service.command ?? o.image.cmd ?? [];
    const user = imageUser(o);
    return run(command, args, { cwd: path.join(o.image.root, o.image.workdir), env: { ...base, ...user.env, ...o.image.env, ...env }, ...user.ids });
  }

  // A path in a third-party image's command that lies in a volume, moved to the volume's folder.
  const inVolumes = (arg: string) => {
    const v = volumes.find((x) => arg === x.containerPath || arg.startsWith(`${x.containerPath}/`));
    return v ? v.hostPath + arg.slice(v.containerPath.length) : arg;
  };
  const image = service.image?.split(':')[0];
  if (image === 'temporalio/temporal')
    return run(path.join(o.toolsBin, 'temporal'), (service.command ?? []).map(inVolumes), { cwd: o.scratch, env: { ...base, ...env } });
  if (image === 'minio/minio') return run(path.join(o.toolsBin, 'minio'), (service.command ?? []).map(inVolumes), { cwd: o.scratch, env: { ...base, ...env } });
  if (typeof service.build === 'object' && service.build.dockerfile === 'tools/docker/postgres.Dockerfile') {
    const data = volumes.find((v) => v.containerPath === '/var/lib/postgresql/data')?.hostPath ?? path.join(o.scratch, 'pgdata');
    return startPostgres(o, data, { ...base, ...env }, run);
  }
  throw new Error(`compose: service ${name} (${service.image ?? JSON.stringify(service.build)}) has no stand-in here; extend compose-as-processes.ts`);
}

/**
 * The image's USER. `node` is the node image's own user, uid and gid 1000 (its Dockerfile),
 * with its home folder: the processes run as that uid here, in a home of their own.
 */
function imageUser(o: ComposeOptions): { ids: { uid?: number; gid?: number }; env: NodeJS.ProcessEnv } {
  if (o.image.user === undefined || o.image.user === 'root') return { ids: {}, env: {} };
  if (o.image.user !== 'node') throw new Error(`compose: USER ${o.image.user} is not replayed; extend imageUser()`);
  const home = path.join(o.scratch, 'home-node');
  mkdirSync(home, { recursive: true });
  chownSync(home, 1000, 1000);
  return { ids: { uid: 1000, gid: 1000 }, env: { HOME: home, npm_config_cache: path.join(home, '.npm') } };
}

/**
 * What the postgres image's entrypoint does on an empty data directory: initdb, a server on
 * its socket only while /docker-entrypoint-initdb.d's scripts run, then the server on TCP.
 */
async function startPostgres(
  o: ComposeOptions,
  data: string,
  env: NodeJS.ProcessEnv,
  run: (command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) => ChildProcess,
): Promise<ChildProcess> {
  mkdirSync(data, { recursive: true });
  chownSync(data, uidOf('postgres'), uidOf('postgres', 'g'));
  const asPostgres = (args: string[]) => ['-u', 'postgres', '--', ...args];
  const auth = env.POSTGRES_HOST_AUTH_METHOD ?? 'scram-sha-256';
  execFileSync('runuser', asPostgres([path.join(POSTGRES_BIN, 'initdb'), '-D', data, '-U', 'postgres', `--auth=${auth}`]), { stdio: 'ignore' });
  writeFileSync(path.join(data, 'pg_hba.conf'), `local all all trust\nhost all all all ${auth}\n`);
  execFileSync('runuser', asPostgres([path.join(POSTGRES_BIN, 'pg_ctl'), '-D', data, '-w', '-o', "-c listen_addresses=''", 'start']), { stdio: 'ignore' });
  const initDir = path.join(o.postgresImage.root, 'docker-entrypoint-initdb.d');
  for (const entry of readdirSync(initDir).sort()) {
    const file = path.join(initDir, entry);
    if (!entry.endsWith('.sh')) continue;
    accessSync(file, constants.X_OK); // the entrypoint runs executable scripts; others it sources with sh
    o.log(`compose: postgres runs ${entry}`);
    execFileSync(file, [], { env: { ...env, POSTGRES_USER: 'postgres', PATH: `${POSTGRES_BIN}:${env.PATH}` }, stdio: 'inherit' });
  }
  execFileSync('runuser', asPostgres([path.join(POSTGRES_BIN, 'pg_ctl'), '-D', data, '-w', '-m', 'fast', 'stop']), { stdio: 'ignore' });
  return run('runuser', asPostgres([path.join(POSTGRES_BIN, 'postgres'), '-D', data, '-c', 'listen_addresses=*']), { cwd: o.scratch, env });
}

function uidOf(user: string, kind: 'u' | 'g' = 'u'): number {
  return Number(execFileSync('id', [`-${kind}`, user], { encoding: 'utf8' }).trim());
}
