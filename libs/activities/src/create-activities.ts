import type { FerryActivities } from '@ferry/contract';
import type { ActivityDeps } from './deps';
import { SessionPools } from './pg/session-pools';
import { classify } from './failures';
import { cleanup, cleanupTarget } from './cleanup';
import { discoverTables } from './discover';
import { finalize } from './finalize';
import { loadPart } from './load-part';
import { prepare } from './prepare';
import { resetStaging } from './reset-staging';
import { transferSmallTable } from './small-table';
import { unload } from './unload';
import { verifyTable } from './verify/verify-table';

/**
 * Binds the activities to their dependencies. The worker registers the result; workflows
 * import only its type.
 */
export function createActivities(given: Omit<ActivityDeps, 'sessions'> & Partial<Pick<ActivityDeps, 'sessions'>>): FerryActivities {
  const deps: ActivityDeps = { ...given, sessions: given.sessions ?? new SessionPools() };
  const bind =
    <I, O>(fn: (deps: ActivityDeps, input: I) => Promise<O>) =>
    async (input: I): Promise<O> => {
      try {
        return await fn(deps, input);
      } catch (err) {
        throw classify(err);
      }
    };
  return {
    prepare: bind(prepare),
    unload: bind(unload),
    loadPart: bind(loadPart),
    resetStaging: bind(resetStaging),
    finalize: bind(finalize),
    cleanup: bind(cleanup),
    cleanupTarget: bind(cleanupTarget),
    discoverTables: bind(discoverTables),
    verifyTable: bind(verifyTable),
    transferSmallTable: bind(transferSmallTable),
  };
}
