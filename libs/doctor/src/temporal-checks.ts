import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { temporalConnectError, type TemporalSettings } from '@ferry/config';
import { check, Failed, skipped, type Check } from './check';

/** The search attributes ferry's runs carry (libs/workflows search-attributes.ts). */
const SEARCH_ATTRIBUTES = ['FerryTable', 'FerryPipeline'];

/**
 * Temporal as the worker and the CLI reach it: the frontend answers, the namespace exists with
 * ferry's search attributes, and each task queue has workers polling it (the main queue for
 * workflows and activities, each target's load queue for its part loads).
 */
export async function temporalChecks(settings: TemporalSettings, taskQueues: { workflows: string; activities: string[] }): Promise<Check[]> {
  const subject = 'temporal';
  let connection: Connection | undefined;
  const reached = await check(subject, `reachable at ${settings.connection.address}`, 'see the detail', async () => {
    try {
      connection = await Connection.connect({ ...settings.connection, connectTimeout: '5s' });
    } catch (err) {
      const described = temporalConnectError(settings, err);
      throw new Failed(described.message, 'check TEMPORAL_ADDRESS (or the profile), TLS and the API key: docs/deploy.md "Temporal Cloud"');
    }
  });
  if (!connection) {
    return [
      reached,
      ...['namespace', 'search attributes', 'task queues'].map((what) => skipped(subject, what, `temporal: reachable at ${settings.connection.address}`)),
    ];
  }
  const { namespace } = settings;
  try {
    const checks = [reached];
    checks.push(
      await check(
        subject,
        `namespace ${namespace} exists`,
        `create it: temporal operator namespace create --namespace ${namespace} (on Temporal Cloud, in the Cloud UI)`,
        async () => {
          await connection!.workflowService.describeNamespace({ namespace });
        },
      ),
    );
    checks.push(
      await check(
        subject,
        `search attributes ${SEARCH_ATTRIBUTES.join(', ')}`,
        SEARCH_ATTRIBUTES.map((name) => `temporal operator search-attribute create --namespace ${namespace} --name ${name} --type Keyword`).join('; '),
        async () => {
          const { customAttributes } = await connection!.operatorService.listSearchAttributes({ namespace });
          const missing = SEARCH_ATTRIBUTES.filter((name) => !customAttributes?.[name]);
          if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}`);
        },
      ),
    );
    const queues: [string, temporal.api.enums.v1.TaskQueueType][] = [
      [taskQueues.workflows, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
      ...taskQueues.activities.map((name): [string, temporal.api.enums.v1.TaskQueueType] => [
        name,
        temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      ]),
    ];
    for (const [name, type] of queues) {
      const kind = type === temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW ? 'workflow' : 'activity';
      checks.push(
        await check(
          subject,
          `task queue ${name} polled (${kind})`,
          `start a ferry worker with FERRY_TASK_QUEUE=${taskQueues.workflows} and this config (docs/deploy.md)`,
          async () => {
            const { pollers } = await connection!.workflowService.describeTaskQueue({ namespace, taskQueue: { name }, taskQueueType: type });
            if (!pollers?.length) throw new Error('no worker has polled it in the last minutes');
            return `${pollers.length} poller(s)`;
          },
        ),
      );
    }
    return checks;
  } finally {
    await connection.close();
  }
}
