import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Without payload encryption, failure messages and stack traces stay where Temporal's tools
 * read them: `temporal workflow execute/describe/result` and the Web UI show ferry's cause
 * and fix as written. (The Temporal CLI does not decode `encodedAttributes`: with them it
 * prints only "Encoded failure".)
 */
export const failureConverter = new DefaultFailureConverter();
