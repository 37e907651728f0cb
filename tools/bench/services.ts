import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './processes';

export interface Service {
  name: string;
  pid: number;
  /** The line that said the service is ready. */
  readyLine: string;
  stop(): Promise<void>;
}

/**
 * Starts a long-running process of the bench's own (redshift-local, a ferry worker), logs
 * its output to a file and resolves once a line matches `ready`. The bench stops exactly
 * these processes, by pid, and nothing else on the machine.
 */
export function startService(name: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, logDir: string, timeoutMs = 120_000): Promise<Service> {
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => stopChild(child);
  return new Promise((resolve, reject) => {
    let buffered = '';
    let isReady = false;
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} did not report ready within ${timeoutMs / 1000} s; see ${logFile}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      if (isReady) return;
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => ready.test(l));
      if (line) {
        clearTimeout(timer);
        isReady = true;
        resolve({ name, pid: child.pid!, readyLine: line, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      log.end();
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready; see ${logFile}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** redshift-local from this checkout, on a free port: the code under test, and no disturbance of the shared one on 5439. */
export async function startRedshiftLocal(root: string, logDir: string, slices: number, extraEnv: Record<string, string>): Promise<Service & { port: number }> {
  const service = await startService(
    'redshift-local',
    ['--import', 'tsx', path.join(root, 'apps/redshift-local/src/main.ts')],
    // No Data API: the shared instance holds its port, and the bench speaks the wire protocol.
    {
      ...process.env,
      ...extraEnv,
      REDSHIFT_LOCAL_PORT: '0',
      REDSHIFT_LOCAL_DATA_API_PORT: '',
      REDSHIFT_LOCAL_IAM_ROLES: '',
      REDSHIFT_LOCAL_SLICES: String(slices),
    },
    /listening on .*:(\d+),/,
    logDir,
  );
  const port = Number(/listening on .*:(\d+),/.exec(service.readyLine)![1]);
  return { ...service, port };
}

/**
 * A ferry worker process as deployed (`apps/worker/src/main.ts`), on the bench's own task
 * queue and config; with `workflowBundle`, it loads that prebuilt bundle instead of running
 * webpack at start.
 */
export function startWorker(root: string, logDir: string, configFile: string, taskQueue: string, workflowBundle?: string): Promise<Service> {
  const env: NodeJS.ProcessEnv = { ...process.env, FERRY_CONFIG: configFile, FERRY_TASK_QUEUE: taskQueue, NODE_OPTIONS: deployedNodeOptions(root) };
  if (workflowBundle) env.FERRY_WORKFLOW_BUNDLE = workflowBundle;
  else delete env.FERRY_WORKFLOW_BUNDLE;
  return startService(
    'worker',
    deployedWorkerArgs(root),
    env,
    /ferry worker: task queue/, // plain text, or the msg of a JSON log line
    logDir,
  );
}

/** Builds the workflow bundle the way deployments do (`npm run build:workflows`), into the bench's data folder. */
export async function buildWorkflowBundle(root: string, dir: string): Promise<string> {
  const out = path.join(dir, 'ferry-workflows.js');
  await run(process.execPath, ['--import', 'tsx', path.join(root, 'apps/worker/src/build-workflow-bundle.ts'), out], { cwd: root });
  return out;
}

/** The node arguments of the image's worker command (the Dockerfile's `CMD ["node", …]`), so the bench measures the process as deployed. */
export function deployedWorkerArgs(root: string): string[] {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(path.join(root, 'Dockerfile'), 'utf8'))?.[1];
  const [program, ...args] = cmd ? (JSON.parse(cmd) as string[]) : [];
  if (program !== 'node')
    throw new Error(`the Dockerfile's CMD does not start node itself (${cmd}): the bench would measure another process than the image runs`);
  return args.map((a) => (a.endsWith('.ts') ? path.join(root, a) : a));
}

/** The Node.js options the image runs the worker with (the Dockerfile's `NODE_OPTIONS`); FERRY_BENCH_WORKER_NODE_OPTIONS overrides them to compare. */
export function deployedNodeOptions(root: string): string {
  if (process.env.FERRY_BENCH_WORKER_NODE_OPTIONS !== undefined) return process.env.FERRY_BENCH_WORKER_NODE_OPTIONS;
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  return /^ENV .*\bNODE_OPTIONS=("[^"]*"|\S+)/m.exec(dockerfile)?.[1].replace(/"/g, '') ?? '';
}
