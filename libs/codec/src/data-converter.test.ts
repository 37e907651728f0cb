import { randomBytes } from 'node:crypto';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { ferryDataConverter } from './data-converter';
import { failureConverter } from './failure-converter';

describe('ferryDataConverter', () => {
  it('without FERRY_ENCRYPTION_KEYS: no codec, payloads stay plain JSON', () => {
    expect(ferryDataConverter({}).payloadCodecs).toEqual([]);
  });

  it('with it: the AES-GCM codec; a malformed value fails at once', () => {
    expect(ferryDataConverter({ FERRY_ENCRYPTION_KEYS: `k:${randomBytes(32).toString('base64')}` }).payloadCodecs).toHaveLength(1);
    expect(() => ferryDataConverter({ FERRY_ENCRYPTION_KEYS: 'k:short' })).toThrow(/^FERRY_ENCRYPTION_KEYS entry 1/);
  });

  it('the failure converter moves message and stack trace into a payload the codec encrypts, and reads them back', () => {
    const failure = failureConverter.errorToFailure(ApplicationFailure.nonRetryable('COPY failed near row "Ada Lovelace"', 'LoadFailed'), defaultPayloadConverter);
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(failure.encodedAttributes).toBeDefined();
    const back = failureConverter.failureToError(failure, defaultPayloadConverter);
    expect(back.message).toBe('COPY failed near row "Ada Lovelace"');
  });
});
