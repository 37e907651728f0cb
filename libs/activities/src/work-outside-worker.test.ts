import { ActivityCancellationDetails } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import { stopsWorkOutsideWorker } from './work-outside-worker';

/** An aborted attempt's context: its cancellation details, and its workflow as the server describes it. */
const aborted = (details: ConstructorParameters<typeof ActivityCancellationDetails>[0], workflow: string | Error = 'RUNNING') =>
  ({
    cancellationDetails: new ActivityCancellationDetails(details),
    cancellationSignal: AbortSignal.abort(),
    info: { workflowExecution: { workflowId: 'w', runId: 'r' } },
    client: {
      workflow: {
        getHandle: () => ({
          describe: async () => {
            if (workflow instanceof Error) throw workflow;
            return { status: { name: workflow } };
          },
        }),
      },
    },
  }) as unknown as Context;

describe('whether an aborted attempt stops the UNLOAD it left in the warehouse', () => {
  it('stops it when the run was cancelled or the activity reset', async () => {
    expect(await stopsWorkOutsideWorker(aborted({ cancelRequested: true }))).toBe(true);
    expect(await stopsWorkOutsideWorker(aborted({ reset: true }))).toBe(true);
  });

  it('leaves it to the next attempt when the worker stops or the activity is paused', async () => {
    expect(await stopsWorkOutsideWorker(aborted({ workerShutdown: true }))).toBe(false);
    expect(await stopsWorkOutsideWorker(aborted({ paused: true }))).toBe(false);
  });

  it('when the server no longer knows the attempt: leaves it while the workflow runs, stops it once the workflow has ended', async () => {
    expect(await stopsWorkOutsideWorker(aborted({ timedOut: true }, 'RUNNING'))).toBe(false);
    expect(await stopsWorkOutsideWorker(aborted({ notFound: true }, 'FAILED'))).toBe(true);
    expect(await stopsWorkOutsideWorker(aborted({ notFound: true }, Object.assign(new Error('gone'), { name: 'WorkflowNotFoundError' })))).toBe(true);
    // Temporal unreachable: left for a next attempt (the run's cleanup cancels what remains).
    expect(await stopsWorkOutsideWorker(aborted({ notFound: true }, new Error('connection refused')))).toBe(false);
  });
});
