import { recordingSession as recording } from '@ferry/sql';
import type { ResultField } from './columns';

/** @ferry/sql's recording session, answered with rows and result fields; `failOn` refuses as a missing privilege would (42501). */
export const recordingSession = (answer: (text: string) => { rows?: object[]; fields?: ResultField[] } = () => ({}), failOn?: RegExp) =>
  recording<ResultField>(answer, failOn && { match: failOn, error: { code: '42501' } });
