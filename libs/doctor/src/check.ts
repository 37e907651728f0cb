/** One line of the checklist: what was checked, on what, and when it failed, why and the fix. */
export interface Check {
  /** temporal, s3, or the connection's name. */
  subject: string;
  check: string;
  ok: boolean;
  /** What was found: the server's answer, the region, the error. Never a secret. */
  detail?: string;
  fix?: string;
}

/** A failure that knows its fix. */
export class Failed extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

/**
 * Runs one check: a value means it passed (its detail), a throw that it failed, with the fix
 * the Failed error carries or else `fix`. One check failing does not stop the others.
 */
export async function check(subject: string, what: string, fix: string, run: () => Promise<string | void>): Promise<Check> {
  try {
    const detail = await run();
    return { subject, check: what, ok: true, ...(detail && { detail }) };
  } catch (err) {
    return { subject, check: what, ok: false, detail: messageOf(err), fix: err instanceof Failed ? err.fix : fix };
  }
}

/** A check that could not run because one it depends on failed. */
export const skipped = (subject: string, what: string, because: string): Check => ({
  subject,
  check: what,
  ok: false,
  detail: `not checked: ${because}`,
  fix: `fix "${because}" first`,
});

function messageOf(err: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = err; e instanceof Error && messages.length < 3; e = e.cause) if (!messages.includes(e.message)) messages.push(e.message);
  return messages.length > 0 ? messages.join(': ') : String(err);
}
