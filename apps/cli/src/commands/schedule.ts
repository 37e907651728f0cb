import { existsSync } from 'node:fs';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { toPipelineInput } from '@ferry/pipeline';
import { readPipelineFile } from '@ferry/pipeline/file';
import { ferrySearchAttributes } from '@ferry/workflows';
import { scheduleId } from '../ids';
import { withTemporal, type TemporalOptions } from '../temporal';
import { tableCount } from '../pipeline-config';

const OVERLAP = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
} as const;
export const overlapPolicies = Object.keys(OVERLAP);

export interface ScheduleCreateOptions {
  cron: string[];
  overlap: keyof typeof OVERLAP;
  timezone?: string;
  paused?: boolean;
}

/**
 * `ferry schedule create <file> --cron …`: a Temporal Schedule that starts the pipeline. The
 * schedule holds the pipeline as it is now; after editing the file, delete and create again.
 */
export async function scheduleCreate(file: string, options: ScheduleCreateOptions, temporal: TemporalOptions): Promise<void> {
  const pipeline = readPipelineFile(file);
  const id = scheduleId(pipeline.name);
  await withTemporal(temporal, async (client, settings) => {
    try {
      await client.schedule.create({
        scheduleId: id,
        spec: { cronExpressions: options.cron, timezone: options.timezone },
        action: {
          type: 'startWorkflow',
          workflowType: 'pipelineRun',
          taskQueue: settings.taskQueue,
          workflowId: id,
          args: [toPipelineInput(pipeline)],
          staticSummary: `pipeline ${pipeline.name}: ${tableCount(pipeline)}, scheduled`,
          typedSearchAttributes: ferrySearchAttributes({ pipeline: pipeline.name }),
        },
        policies: { overlap: OVERLAP[options.overlap] },
        // Temporal keeps cron specs as calendars; the memo keeps them as the user wrote them.
        memo: { cron: options.cron.join(' and '), file },
        state: { paused: options.paused, note: `ferry schedule create ${file}` },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) {
        throw new Error(`schedule ${id} already exists: run \`ferry schedule delete ${id}\` first to replace it`, { cause: err });
      }
      throw err;
    }
    const next = (await client.schedule.getHandle(id).describe()).info.nextActionTimes[0];
    console.log(
      `created schedule ${id}: ${options.cron.join(' and ')}${options.timezone ? ` (${options.timezone})` : ' (UTC)'}, overlap ${options.overlap}${options.paused ? ', paused' : ''}; next run ${next?.toISOString() ?? 'none'}`,
    );
  });
}

export async function scheduleList(temporal: TemporalOptions): Promise<void> {
  await withTemporal(temporal, async (client) => {
    let found = 0;
    for await (const s of client.schedule.list()) {
      if (s.action?.type !== 'startWorkflow' || !['pipelineRun', 'tableTransfer'].includes(s.action.workflowType)) continue;
      found++;
      const spec = (s.memo?.cron as string | undefined) ?? 'calendar spec';
      const last = s.info.recentActions.at(-1);
      console.log(
        `${s.scheduleId}  ${spec}  ${s.state.paused ? 'paused' : 'active'}  next ${s.info.nextActionTimes[0]?.toISOString() ?? '-'}  last ${last ? `${last.takenAt.toISOString()} ${last.action.workflow.workflowId}` : '-'}`,
      );
    }
    if (found === 0) console.log('no ferry schedules (create one with `ferry schedule create <file> --cron "0 2 * * *"`)');
  });
}

/** `ferry schedule delete <file | schedule-id>`: existing workflow runs are not affected. */
export async function scheduleDelete(fileOrId: string, temporal: TemporalOptions): Promise<void> {
  const id = existsSync(fileOrId) ? scheduleId(readPipelineFile(fileOrId).name) : fileOrId;
  await withTemporal(temporal, async (client) => {
    try {
      await client.schedule.getHandle(id).delete();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new Error(`no schedule ${id}: \`ferry schedule list\` shows the existing ones`, { cause: err });
      throw err;
    }
    console.log(`deleted schedule ${id}`);
  });
}
