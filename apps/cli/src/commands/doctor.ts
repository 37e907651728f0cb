import { ferryTaskQueue, loadConfig } from '@ferry/config';
import { doctor, formatChecklist, type Check } from '@ferry/doctor';
import { readPipelineFile } from '@ferry/pipeline/file';
import { configFor } from '../pipeline-config';
import { resolveTemporal, type TemporalOptions } from '../temporal';

/**
 * `ferry doctor [file] [--json]`: checks the worker config's (or the file's) connections, the
 * bucket and Temporal the way a run uses them; prints one line a check, each failure with its
 * fix; returns the exit code (1 when any check failed).
 */
export async function doctorCommand(file: string | undefined, o: TemporalOptions & { json?: boolean }): Promise<number> {
  const config = file ? configFor(readPipelineFile(file)) : loadConfig();
  const checks: Check[] = [];
  let temporal;
  try {
    temporal = resolveTemporal(o);
  } catch (err) {
    checks.push({ subject: 'temporal', check: 'settings', ok: false, detail: (err as Error).message, fix: 'fix the Temporal profile or TEMPORAL_* variables' });
  }
  checks.push(...(await doctor({ config, temporal, taskQueue: o.taskQueue ?? ferryTaskQueue() })));
  const ok = checks.every((c) => c.ok);
  console.log(o.json ? JSON.stringify({ ok, checks }, null, 2) : formatChecklist(checks));
  return ok ? 0 : 1;
}
