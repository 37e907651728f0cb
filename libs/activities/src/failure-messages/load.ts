import type { LoadTarget, RegisteredPart } from '@ferry/contract';
import { displayName } from '@ferry/sql';
import { FailureType, nonRetryable } from '../failures';

/** A load whose run no longer owns the target: another run of it has prepared since, so loading would mix two runs. */
export function runColumnsGone(load: LoadTarget) {
  return nonRetryable(
    `run ${load.runId} no longer owns target ${displayName(load.table)}: another run of the target has prepared since (or the staging schema was reset), so this part of the older run is not loaded. Start the transfer again if it is still wanted`,
    FailureType.targetBusy,
  );
}

/** A part the registry does not hold: the run was released (cancelled, or cleaned up by another run) while this load waited. */
export function registeredPartGone(load: LoadTarget, at: RegisteredPart) {
  return nonRetryable(
    `run ${load.runId} has no part ${at.ordinal} of unload attempt ${at.attempt} registered on target ${displayName(load.table)}: the run was released (cancelled or cleaned up) or another run of the target took it over, so nothing is loaded. Start the transfer again if it is still wanted`,
    FailureType.targetBusy,
  );
}
