import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleMark, bundlePath, workflowBundleFor } from './workflow-bundle';

describe('workflowBundleFor', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-bundle-'));
  const out = path.join(dir, 'ferry-workflows.js');
  writeFileSync(out, `${bundleMark('plain')}var x = 1;`);
  writeFileSync(bundlePath(out, 'encrypted'), `${bundleMark('encrypted')}var x = 1;`);

  it('loads the named bundle without keys and its encrypted twin with them', () => {
    expect(workflowBundleFor(out, 'plain')).toBe(out);
    expect(workflowBundleFor(out, 'encrypted')).toBe(path.join(dir, 'ferry-workflows.encrypted.js'));
  });

  it('refuses a bundle built for the other way of storing failure messages, or without a mark', () => {
    const swapped = path.join(dir, 'swapped.js');
    writeFileSync(swapped, `${bundleMark('encrypted')}var x = 1;`);
    expect(() => workflowBundleFor(swapped, 'plain')).toThrow(`FERRY_WORKFLOW_BUNDLE: ${swapped} is not a bundle with plain failure messages`);
    const old = path.join(dir, 'old.js');
    writeFileSync(old, 'var x = 1;');
    expect(() => workflowBundleFor(old, 'plain')).toThrow(/rebuild it with `npm run build:workflows/);
  });

  it('names the missing twin and how to build it', () => {
    const lone = path.join(dir, 'lone.js');
    writeFileSync(lone, `${bundleMark('plain')}var x = 1;`);
    expect(() => workflowBundleFor(lone, 'encrypted')).toThrow(
      `FERRY_WORKFLOW_BUNDLE: ${path.join(dir, 'lone.encrypted.js')} does not exist (with FERRY_ENCRYPTION_KEYS set`,
    );
  });
});
