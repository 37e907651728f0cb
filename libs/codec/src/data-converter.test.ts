import { randomBytes } from 'node:crypto';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { ferryDataConverter } from './data-converter';
import { failureConverterPath } from './failure-converter';
import { failureConverter as encoded } from './failure-converters/encoded';
import { failureConverter as plain } from './failure-converters/plain';

describe('ferryDataConverter', () => {
  it('without FERRY_ENCRYPTION_KEYS: no codec, payloads stay plain JSON, failure messages in the clear', () => {
    expect(ferryDataConverter({}).payloadCodecs).toEqual([]);
    expect(ferryDataConverter({}).failureConverterPath).toBe(failureConverterPath('plain'));
  });

  it('with keys, the failure converter that encodes messages', () => {
    expect(ferryDataConverter({ FERRY_ENCRYPTION_KEYS: `k:${randomBytes(32).toString('base64')}` }).failureConverterPath).toBe(
      failureConverterPath('encrypted'),
    );
  });

  it('with it: the AES-GCM codec; a malformed value fails at once', () => {
    expect(ferryDataConverter({ FERRY_ENCRYPTION_KEYS: `k:${randomBytes(32).toString('base64')}` }).payloadCodecs).toHaveLength(1);
    expect(() => ferryDataConverter({ FERRY_ENCRYPTION_KEYS: 'k:short' })).toThrow(/^FERRY_ENCRYPTION_KEYS entry 1/);
  });

  it('the plain failure converter keeps the message where the Temporal CLI reads it', () => {
    const failure = plain.errorToFailure(ApplicationFailure.nonRetryable('column "zip" is varchar(3): ALTER TABLE …', 'TypeMismatch'), defaultPayloadConverter);
    expect(failure.message).toBe('column "zip" is varchar(3): ALTER TABLE …');
    expect(failure.encodedAttributes).toBeFalsy();
  });

  it('the encoding failure converter moves message and stack trace into a payload the codec encrypts, and reads them back', () => {
    const failure = encoded.errorToFailure(ApplicationFailure.nonRetryable('COPY failed near row "Ada Lovelace"', 'LoadFailed'), defaultPayloadConverter);
    expect(failure.message).toBe(
      'Encoded failure (LoadFailed): the message is encrypted (FERRY_ENCRYPTION_KEYS); read it with `ferry status <workflow-id>`, in the Web UI with `ferry codec-server`, or with --codec-endpoint and --output json',
    );
    expect(failure.message).not.toContain('Ada');
    expect(failure.stackTrace).toBe('');
    expect(failure.encodedAttributes).toBeDefined();
    const back = plain.failureToError(failure, defaultPayloadConverter);
    expect(back.message).toBe('COPY failed near row "Ada Lovelace"');
  });
});
