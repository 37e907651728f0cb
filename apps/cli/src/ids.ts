/** A manual run's workflow id: the pipeline's name and the start time, readable in lists. */
export function runWorkflowId(pipeline: string, now = new Date()): string {
  return `pipeline-${pipeline}-${now.toISOString().replace(/[-:]|\.\d+/g, '')}`;
}

/** A schedule's id; Temporal appends each run's start time to its workflow id. */
export function scheduleId(pipeline: string): string {
  return `pipeline-${pipeline}`;
}
