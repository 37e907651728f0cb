import type { ResultField } from './columns';

/** A session that records what it is asked and answers each statement from `answer` (no rows by default). */
export function recordingSession(answer: (text: string) => { rows?: object[]; fields?: ResultField[] } = () => ({}), failOn?: RegExp) {
  const log: { text: string; values?: unknown[] }[] = [];
  return {
    log,
    texts: () => log.map((l) => l.text),
    async query<R extends object>(text: string, values?: unknown[]) {
      log.push(values ? { text, values } : { text });
      if (failOn?.test(text)) throw Object.assign(new Error(`refused: ${text}`), { code: '42501' });
      const { rows = [], fields = [] } = answer(text);
      return { rows: rows as R[], rowCount: rows.length, fields };
    },
  };
}
