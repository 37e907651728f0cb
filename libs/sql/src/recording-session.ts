/**
 * For tests of planners and readers: a session that records what it is asked and answers
 * each statement from `answer` (no rows by default), failing the statements `failOn` matches
 * with `error`'s fields (a SQLSTATE `code`, a `constraint`).
 */
export function recordingSession<F = never>(
  answer: (text: string) => { rows?: object[]; fields?: F[] } | undefined = () => undefined,
  failOn?: { match: RegExp; error: object },
) {
  const log: { text: string; values?: unknown[] }[] = [];
  return {
    log,
    texts: () => log.map((l) => l.text),
    async query<R extends object>(text: string, values?: unknown[]) {
      log.push(values ? { text, values } : { text });
      if (failOn?.match.test(text)) throw Object.assign(new Error(`refused: ${text}`), failOn.error);
      const { rows = [], fields = [] } = answer(text) ?? {};
      return { rows: rows as R[], rowCount: rows.length, fields };
    },
  };
}
