import { closeSync, openSync, readSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { failureConverterPath, KEYS_VARIABLE, type FailureMessages } from '@ferry/codec';

/**
 * A prebuilt bundle holds one failure converter (it runs inside the workflow sandbox), so
 * `npm run build:workflows` writes one bundle per way of storing failure messages and marks
 * each on its first line — without a line break, which would shift the source map.
 */
export const bundleMark = (messages: FailureMessages) => `/* ferry workflow bundle, failure messages ${messages} */`;

export async function buildWorkflowBundle(messages: FailureMessages): Promise<string> {
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('@ferry/workflows'), failureConverterPath: failureConverterPath(messages) });
  return bundleMark(messages) + code;
}

/** Where build:workflows writes each bundle: `out` for plain messages, `<out>.encrypted.js` beside it for encrypted ones. */
export function bundlePath(out: string, messages: FailureMessages): string {
  return messages === 'plain' ? out : out.replace(/(\.js)?$/, '.encrypted.js');
}

/**
 * The bundle a worker loads for FERRY_WORKFLOW_BUNDLE=`path`: that file, or with encryption the
 * `.encrypted.js` beside it. Refuses a bundle whose failure messages would be stored otherwise
 * than the process's payloads: encrypted messages would read "Encoded failure" in the
 * Temporal CLI, plain ones would put row text into history in the clear.
 */
export function workflowBundleFor(path: string, messages: FailureMessages): string {
  const file = bundlePath(path, messages);
  const head = readHead(file, bundleMark('encrypted').length);
  if (head === undefined) {
    throw new Error(
      `FERRY_WORKFLOW_BUNDLE: ${file} does not exist${messages === 'encrypted' ? ` (with ${KEYS_VARIABLE} set, the worker loads the encrypted twin of ${path})` : ''}: build it with \`npm run build:workflows ${path}\``,
    );
  }
  if (!head.startsWith(bundleMark(messages))) {
    throw new Error(
      `FERRY_WORKFLOW_BUNDLE: ${file} is not a bundle with ${messages} failure messages (built by another ferry version, or renamed): rebuild it with \`npm run build:workflows ${path}\``,
    );
  }
  return file;
}

function readHead(file: string, bytes: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
