import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { localStackConfig } from '@ferry/config';

export const repoRoot = path.resolve(__dirname, '../..');
const run = promisify(execFile);

/** Runs the pinned Temporal CLI against the local stack and returns its stdout. */
export async function temporalCli(args: string[]): Promise<string> {
  const bin = path.join(repoRoot, '.tools/bin/temporal');
  const { stdout } = await run(bin, [...args, '--address', process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233'], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Runs the pinned Temporal CLI and returns its exit code and output; never throws on a non-zero exit. */
export async function temporalCliOutcome(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, stdout: await temporalCli(args), stderr: '' };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * Makes `buildId` the deployment's current version, as an operator rolling it out would. The
 * version exists once one of its workers has polled; until then the CLI refuses it, so this waits.
 */
export async function makeCurrentVersion(deploymentName: string, buildId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const set = await temporalCliOutcome(['worker', 'deployment', 'set-current-version', '--deployment-name', deploymentName, '--build-id', buildId, '--yes']);
    if (set.code === 0) return;
    if (Date.now() > deadline) throw new Error(`build ${buildId} never became current: ${set.stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The build a workflow is pinned to (Worker Versioning), from its description. */
export async function pinnedBuildOf(handle: WorkflowHandle): Promise<string | undefined> {
  return (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId ?? undefined;
}

/** Starts the worker app (`npm run worker`'s entry point) as a child process. */
export function spawnWorker(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; stop(): Promise<void> } {
  // node itself with tsx's loader, not the tsx wrapper: SIGKILL must hit the worker process.
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(repoRoot, 'apps/worker/src/main.ts')], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        // Ended already: on its own (exitCode) or killed by a test (signalCode).
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Runs the `ferry` command (apps/cli/bin/ferry) and returns its exit code and output; never throws on a non-zero exit. */
export async function ferryCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(repoRoot, 'apps/cli/bin/ferry'), args, { cwd: repoRoot, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * What the worker app needs to run as in production, on the local stack's databases
 * `sourceDb` and `targetDb`: its connections from a config file, its workflows from a
 * prebuilt bundle (npm run build:workflows). The environment for spawnWorker.
 */
export async function productionLikeWorker(
  sourceDb: string,
  targetDb: string,
  postgres: { maxConcurrentLoads?: number } = {},
): Promise<{ FERRY_CONFIG: string; FERRY_WORKFLOW_BUNDLE: string }> {
  const config = localStackConfig();
  config.connections.redshift.database = sourceDb;
  config.connections.postgres = { ...config.connections.postgres, database: targetDb, ...postgres } as typeof config.connections.postgres;
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-worker-'));
  writeFileSync(path.join(dir, 'ferry.json'), JSON.stringify(config));
  const bundle = path.join(dir, 'ferry-workflows.js');
  await run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'apps/worker/src/build-workflow-bundle.ts'), bundle], { cwd: repoRoot });
  return { FERRY_CONFIG: path.join(dir, 'ferry.json'), FERRY_WORKFLOW_BUNDLE: bundle };
}
