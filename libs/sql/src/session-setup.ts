/**
 * One simple-protocol query that puts a pooled session under a connection's settings: after
 * `RESET ALL` when an earlier user may have changed them, so no setting outlives its activity.
 */
export function sessionSetup(settings: readonly string[], reused: boolean): string {
  return [...(reused ? ['RESET ALL'] : []), ...settings].join('; ');
}
