import { FailureType, nonRetryable } from '../failures';

/**
 * A step scheduled by a workflow from before the parts registry (an unversioned fleet that
 * upgraded under a running transfer): this build has no path for it, and no retry here helps.
 */
export function scheduledBeforeTheRegistry(step: string) {
  return nonRetryable(
    `this ${step} was scheduled by a workflow from before the parts registry, which this worker no longer serves: let the run finish on the build that started it (docs/deploy.md, "Rolling out a new version")`,
    FailureType.config,
  );
}
