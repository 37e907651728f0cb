import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces are not payloads: a codec never sees them, yet a failed
 * COPY can quote a row. With encodeCommonAttributes they move into the failure's
 * `encodedAttributes` payload (the message reads "Encoded failure"), which the codec then
 * encrypts. Loaded by path (DataConverter.failureConverterPath) because workflow code runs
 * it inside the workflow sandbox, where it is bundled with the workflows, possibly ahead of
 * time and without keys; so it is on with and without encryption. Without keys the
 * attributes are plain JSON, which every Temporal SDK, the `temporal` CLI and the Web UI
 * decode back into the message.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
