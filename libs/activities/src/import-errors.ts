import { FailureType, nonRetryable } from './failures';
import type { PartToLoad } from '@ferry/contract';

/** Data errors (SQLSTATE class 22, 23) will fail again on retry: say which part and line. */
export function describeImportError(err: Error & { code?: string; where?: string }, part: PartToLoad): Error {
  if (err.code && /^(22|23)/.test(err.code)) {
    return nonRetryable(`part ${part.name} cannot be loaded: ${err.message}${err.where ? ` (${err.where})` : ''}`, FailureType.badData);
  }
  return err;
}
