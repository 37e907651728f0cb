import { DefaultFailureConverter, type FailureConverter, type PayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

type Failure = temporal.api.failure.v1.IFailure;

const encoding = new DefaultFailureConverter({ encodeCommonAttributes: true });

/**
 * With payload encryption: failure messages and stack traces are not payloads, so a codec
 * never sees them, yet a failed COPY can quote a row. encodeCommonAttributes moves them into
 * the failure's `encodedAttributes` payload, which the codec then encrypts; clients with the
 * keys, and `ferry codec-server` for the Web UI and the CLI's JSON output, read them back.
 * What stays in the clear is the SDK's placeholder, which says neither what failed nor how to
 * read it (the Temporal CLI's text output decodes no attributes): it gets the failure's type,
 * which history stores in the clear anyway, and where to read the message.
 */
export const failureConverter: FailureConverter = {
  errorToFailure(err: unknown, payloadConverter: PayloadConverter): Failure {
    const failure = encoding.errorToFailure(err, payloadConverter);
    for (let f: Failure | null | undefined = failure, top = true; f; f = f.cause, top = false) {
      if (f.message !== 'Encoded failure') continue;
      const type = f.applicationFailureInfo?.type;
      f.message = `Encoded failure${type ? ` (${type})` : ''}${top ? ': the message is encrypted (FERRY_ENCRYPTION_KEYS); read it with `ferry status <workflow-id>`, in the Web UI with `ferry codec-server`, or with --codec-endpoint and --output json' : ''}`;
    }
    return failure;
  },
  failureToError: (failure, payloadConverter) => encoding.failureToError(failure, payloadConverter),
};
