import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './codec';
import { KEYS_VARIABLE, parseEncryptionKeys } from './keys';

/** ferry's failure converter, by path: the worker bundles it into the workflow code. */
export const failureConverterPath = require.resolve('./failure-converter');

/**
 * The data converter of every ferry process that talks to Temporal (worker, `ferry` CLI,
 * demo, bench, tests): payloads encrypted when FERRY_ENCRYPTION_KEYS is set, plain JSON as
 * before when it is not. Throws at once on a malformed FERRY_ENCRYPTION_KEYS.
 */
export function ferryDataConverter(env: NodeJS.ProcessEnv = process.env): DataConverter {
  const value = env[KEYS_VARIABLE];
  return {
    failureConverterPath,
    payloadCodecs: value === undefined ? [] : [new AesGcmCodec(parseEncryptionKeys(value))],
  };
}

/** Whether payloads are encrypted: for the worker's startup line. */
export function encryptionKeyIds(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const value = env[KEYS_VARIABLE];
  return value === undefined ? undefined : [...parseEncryptionKeys(value).byId.keys()];
}
