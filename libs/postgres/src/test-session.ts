/**
 * A session that records what it is asked and answers each statement from `answer` (no rows
 * by default), failing the statements `failOn` matches with `error`.
 */
export function recordingSession(answer: (text: string) => object[] | undefined = () => undefined, failOn?: { match: RegExp; error: object }) {
  const log: { text: string; values?: unknown[] }[] = [];
  return {
    log,
    texts: () => log.map((l) => l.text),
    async query<R extends object>(text: string, values?: unknown[]) {
      log.push(values ? { text, values } : { text });
      if (failOn?.match.test(text)) throw Object.assign(new Error(`refused: ${text}`), failOn.error);
      const rows = answer(text) ?? [];
      return { rows: rows as R[], rowCount: rows.length };
    },
  };
}
