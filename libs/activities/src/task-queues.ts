/** Part loads of one target database run on their own task queue, to cap them per database. */
export function loadTaskQueue(mainTaskQueue: string, connection: string): string {
  return `${mainTaskQueue}-load-${connection}`;
}
