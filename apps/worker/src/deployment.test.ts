import { deploymentVersion } from './deployment';

describe('deploymentVersion', () => {
  it('is off without FERRY_BUILD_ID, and names the task queue as the deployment by default', () => {
    expect(deploymentVersion({}, 'ferry')).toBeUndefined();
    expect(deploymentVersion({ FERRY_BUILD_ID: '2026-12-04.1' }, 'ferry')).toEqual({ deploymentName: 'ferry', buildId: '2026-12-04.1' });
    expect(deploymentVersion({ FERRY_BUILD_ID: 'abc123', FERRY_DEPLOYMENT_NAME: 'ferry-prod' }, 'ferry')).toEqual({
      deploymentName: 'ferry-prod',
      buildId: 'abc123',
    });
  });

  it('refuses a deployment name without a build id, and a name with a dot', () => {
    expect(() => deploymentVersion({ FERRY_DEPLOYMENT_NAME: 'ferry-prod' }, 'ferry')).toThrow(/FERRY_DEPLOYMENT_NAME=ferry-prod is set without FERRY_BUILD_ID/);
    expect(() => deploymentVersion({ FERRY_BUILD_ID: 'x' }, 'ferry.prod')).toThrow(/contains a dot/);
  });
});
