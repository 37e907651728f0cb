/**
 * Thrown for configuration a retry cannot fix; activities turn it into a non-retryable
 * failure of type `failureType`, so callers can tell a TLS or login problem from a typo.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly failureType: string = 'ConfigError',
  ) {
    super(message);
  }
}
