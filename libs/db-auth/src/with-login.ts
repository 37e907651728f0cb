import type { Named } from '@ferry/config';
import type { DbCredentials, DbLogin } from './db-credentials';

/**
 * Logs in with `attempt`; when a cached login is refused (the secret was rotated, the
 * temporary password revoked), forgets it and tries once more with a fresh one. A second
 * refusal, or one of a fresh login, is the caller's to report.
 */
export async function withLogin<T>(
  credentials: DbCredentials,
  c: Named,
  attempt: (login: DbLogin) => Promise<T>,
  isLoginRefused: (err: unknown) => boolean,
): Promise<T> {
  const login = await credentials.login(c);
  try {
    return await attempt(login);
  } catch (err) {
    if (!login.cached || !isLoginRefused(err)) throw err;
    credentials.invalidate(c);
    return attempt(await credentials.login(c));
  }
}
