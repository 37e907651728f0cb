import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './codec';
import { failureConverterPath, type FailureMessages } from './failure-converter';
import { KEYS_VARIABLE, parseEncryptionKeys } from './keys';

/**
 * The data converter of every ferry process that talks to Temporal (worker, `ferry` CLI,
 * demo, bench, tests): payloads and failure messages encrypted when FERRY_ENCRYPTION_KEYS is
 * set, plain JSON and plain messages when it is not. Throws at once on a malformed
 * FERRY_ENCRYPTION_KEYS.
 */
export function ferryDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const value = env[KEYS_VARIABLE];
  return {
    failureConverterPath: failureConverterPath(failureMessages(env)),
    payloadCodecs: value === undefined ? [] : [new AesGcmCodec(parseEncryptionKeys(value))],
  };
}

/** How this process's failure messages are stored: encrypted exactly when payloads are. */
export function failureMessages(env: NodeJS.ProcessEnv = process.env): FailureMessages {
  return env[KEYS_VARIABLE] === undefined ? 'plain' : 'encrypted';
}

/** Whether payloads are encrypted: for the worker's startup line. */
export function encryptionKeyIds(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const value = env[KEYS_VARIABLE];
  return value === undefined ? undefined : [...parseEncryptionKeys(value).byId.keys()];
}
