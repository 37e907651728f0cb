// Where the worker's resident memory goes, one variant per process:
//   node --expose-gc --import tsx tools/bench/worker-memory.ts bundle|prebuilt|build-bundle FILE
// `bundle` creates the workflow worker as apps/worker does (workflowsPath: webpack runs in
// the worker process); `prebuilt` loads a bundle made beforehand by `build-bundle` (Temporal's
// bundleWorkflowCode, run as a build step), so the worker never loads webpack. Each prints
// RSS after every stage, after a forced GC, as JSON.
import { readFileSync, writeFileSync } from 'node:fs';
import { mb } from './memory';
import { temporalSettings } from '@ferry/config';

const rssMb = () => mb(Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]));
const stages: Record<string, number> = {};
const mark = (stage: string) => {
  (globalThis as { gc?: () => void }).gc?.();
  stages[stage] = Math.round(rssMb());
};

async function main() {
  const [variant, file] = process.argv.slice(2);
  mark('node + tsx');
  const { NativeConnection, Worker, bundleWorkflowCode, Runtime, DefaultLogger } = await import('@temporalio/worker');
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const workflowsPath = require.resolve('@ferry/workflows');
  if (variant === 'build-bundle') {
    const { code } = await bundleWorkflowCode({ workflowsPath });
    writeFileSync(file, code);
    return;
  }
  mark('@temporalio/worker loaded');
  const connection = await NativeConnection.connect(temporalSettings().connection);
  mark('connected');
  const worker = await Worker.create({
    connection,
    taskQueue: `ferry-memory-probe-${process.pid}`,
    ...(variant === 'prebuilt' ? { workflowBundle: { code: readFileSync(file, 'utf8') } } : { workflowsPath }),
  });
  mark('workflow worker created');
  await worker.runUntil(new Promise((resolve) => setTimeout(resolve, 2000)));
  mark('after 2 s of polling');
  await connection.close();
  console.log(JSON.stringify({ variant, rssMb: stages }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
