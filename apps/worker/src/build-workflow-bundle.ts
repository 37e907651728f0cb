import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath } from '@ferry/codec';

// `npm run build:workflows [out]`: bundles ferry's workflow code once, ahead of time. A worker
// started with FERRY_WORKFLOW_BUNDLE=<out> loads it instead of running webpack at startup,
// which saves ~140 MB of peak memory and seconds of startup (docs/benchmarks.md).
async function main() {
  const out = path.resolve(process.argv[2] ?? 'dist/ferry-workflows.js');
  // The failure converter runs inside the workflow sandbox, so it is part of the bundle.
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('@ferry/workflows'), failureConverterPath });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`wrote ${out} (${(code.length / 1024 / 1024).toFixed(1)} MB): start workers with FERRY_WORKFLOW_BUNDLE=${out}`);
}

main().catch((err) => {
  console.error(`build-workflow-bundle: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
