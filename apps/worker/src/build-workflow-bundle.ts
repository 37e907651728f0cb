import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle, bundlePath } from './workflow-bundle';

// `npm run build:workflows [out]`: bundles ferry's workflow code once, ahead of time, twice:
// `out` keeps failure messages in the clear, `out`'s .encrypted.js twin encodes them for
// FERRY_ENCRYPTION_KEYS. A worker started with FERRY_WORKFLOW_BUNDLE=<out> loads the one its
// keys call for instead of running webpack at startup, which saves ~140 MB of peak memory and
// seconds of startup (docs/benchmarks.md).
async function main() {
  const out = path.resolve(process.argv[2] ?? 'dist/ferry-workflows.js');
  mkdirSync(path.dirname(out), { recursive: true });
  for (const messages of ['plain', 'encrypted'] as const) {
    const code = await buildWorkflowBundle(messages);
    writeFileSync(bundlePath(out, messages), code);
    console.log(`wrote ${bundlePath(out, messages)} (${(code.length / 1024 / 1024).toFixed(1)} MB, failure messages ${messages})`);
  }
  console.log(`start workers with FERRY_WORKFLOW_BUNDLE=${out}`);
}

main().catch((err) => {
  console.error(`build-workflow-bundle: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
