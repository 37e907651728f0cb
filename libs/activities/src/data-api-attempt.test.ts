import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { dataApiAttempt, type DataApiUnloadRecord } from './data-api-attempt';

/** A Data API client whose DescribeStatement answers `status`, or throws an AWS error of that name. */
const api = (answer: { status: string } | { error: string }) =>
  ({
    send: async () => {
      if ('error' in answer) throw Object.assign(new Error(answer.error), { name: answer.error });
      return { Status: answer.status };
    },
  }) as unknown as RedshiftDataClient;

/** dataApiAttempt in attempt 3 of an activity whose last heartbeat recorded `dataApi`. */
const attempt3 = (dataApi: DataApiUnloadRecord | undefined, client: RedshiftDataClient, options?: { takeOver?: boolean }) =>
  new MockActivityEnvironment(
    { attempt: 3, heartbeatDetails: dataApi && { phase: 'unloading', dataApi } },
    { logger: new DefaultLogger('ERROR', () => undefined) },
  ).run(() => dataApiAttempt(client, options));

const earlier = { attempt: 2, clientToken: 'ferry-earlier', statementId: 'stmt-2' };

describe('which UNLOAD an attempt over the Data API runs or waits for', () => {
  it('waits for the earlier attempt’s statement while it runs or once it finished, in its folder', async () => {
    for (const status of ['SUBMITTED', 'STARTED', 'FINISHED']) {
      expect(await attempt3(earlier, api({ status }))).toEqual({ record: earlier, resume: 'stmt-2', earlier: true });
    }
  });

  it('sends a statement that has no id yet again with its token (the same statement if it started)', async () => {
    const sent = { attempt: 2, clientToken: 'ferry-earlier' };
    expect(await attempt3(sent, api({ error: 'unused' }))).toEqual({ record: sent, earlier: true });
  });

  it('starts afresh under its own attempt: none recorded, failed or aborted, gone, not ours to see, finished but its attempt failed after, a small table', async () => {
    const fresh = { record: { attempt: 3, clientToken: expect.stringMatching(/^ferry-[0-9a-f]{48}$/) }, earlier: false };
    expect(await attempt3(undefined, api({ status: 'STARTED' }))).toEqual(fresh);
    expect(await attempt3(earlier, api({ status: 'FAILED' }))).toEqual(fresh);
    expect(await attempt3(earlier, api({ status: 'ABORTED' }))).toEqual(fresh);
    expect(await attempt3(earlier, api({ error: 'ResourceNotFoundException' }))).toEqual(fresh);
    expect(await attempt3(earlier, api({ error: 'AccessDeniedException' }))).toEqual(fresh);
    expect(await attempt3({ ...earlier, finishedSeenBy: 2 }, api({ status: 'FINISHED' }))).toEqual(fresh);
    expect(await attempt3(earlier, api({ status: 'STARTED' }), { takeOver: false })).toEqual(fresh);
  });

  it('fails the attempt, to ask again, when the API could not answer', async () => {
    await expect(attempt3(earlier, api({ error: 'ThrottlingException' }))).rejects.toThrow('ThrottlingException');
  });
});
