/** The Worker Deployment Version this worker process registers (Temporal Worker Versioning). */
export interface DeploymentVersion {
  deploymentName: string;
  buildId: string;
}

/**
 * FERRY_BUILD_ID turns Worker Versioning on: every worker of the process polls as that build
 * of the deployment FERRY_DEPLOYMENT_NAME (default: the task queue), and workflows are pinned
 * to the version that started them. Unset, the workers are unversioned, as before.
 */
export function deploymentVersion(env: NodeJS.ProcessEnv, taskQueue: string): DeploymentVersion | undefined {
  const buildId = env.FERRY_BUILD_ID?.trim();
  const name = env.FERRY_DEPLOYMENT_NAME?.trim();
  if (!buildId) {
    if (name)
      throw new Error(
        `FERRY_DEPLOYMENT_NAME=${name} is set without FERRY_BUILD_ID: set FERRY_BUILD_ID to this build's id (e.g. the image tag) to version the worker, or unset both`,
      );
    return undefined;
  }
  // The server joins them as `<deployment>.<build id>`: a dot in the name would be ambiguous.
  const deploymentName = name || taskQueue;
  if (deploymentName.includes('.'))
    throw new Error(`the deployment name ${deploymentName} contains a dot, which Temporal does not allow: set FERRY_DEPLOYMENT_NAME`);
  return { deploymentName, buildId };
}
