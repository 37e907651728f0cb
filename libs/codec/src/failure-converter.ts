/**
 * Which failure converter a process uses, by module path: the SDK loads it by path because
 * workflow code runs it inside the workflow sandbox, where it is bundled with the workflows.
 * A bundle therefore holds one of the two, chosen when it is built (the worker's bundle at
 * start, or `npm run build:workflows`, which builds one of each).
 */
export type FailureMessages = 'plain' | 'encrypted';

export function failureConverterPath(messages: FailureMessages): string {
  return messages === 'encrypted' ? require.resolve('./failure-converters/encoded') : require.resolve('./failure-converters/plain');
}
