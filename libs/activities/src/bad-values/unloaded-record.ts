import type { Readable } from 'node:stream';
import { copyFormat } from '@ferry/contract';

const BACKSLASH = 0x5c;
const LF = 0x0a;

/**
 * Record `line` (from 1) of an unloaded part, split into its fields and unescaped, or
 * undefined when the part is shorter. Reads the stream only up to that record. Records end at
 * an unescaped LF and fields at an unescaped delimiter: a backslash escapes the next
 * character, as in the text UNLOAD writes with ESCAPE and COPY reads (@ferry/contract's
 * copy-format.ts); COPY's `line N` counts records the same way, a value's escaped LF included.
 * A field written exactly `\N` is NULL.
 *
 * Records are found in the bytes (LF and backslash never occur inside a UTF-8 character) and
 * only the wanted one is decoded, whole: a character split between two chunks stays intact,
 * and the records before it cost one comparison per byte.
 */
export async function unloadedRecord(text: Readable, line: number): Promise<(string | null)[] | undefined> {
  let record = 1;
  let escaped = false;
  const wanted: Buffer[] = [];
  try {
    for await (const chunk of text as AsyncIterable<Buffer>) {
      let i = 0;
      for (; record < line && i < chunk.length; i++) {
        if (escaped) escaped = false;
        else if (chunk[i] === BACKSLASH) escaped = true;
        else if (chunk[i] === LF) record++;
      }
      if (record < line) continue;
      const start = i;
      for (; i < chunk.length; i++) {
        if (escaped) escaped = false;
        else if (chunk[i] === BACKSLASH) escaped = true;
        else if (chunk[i] === LF) return fieldsOf(Buffer.concat([...wanted, chunk.subarray(start, i)]).toString('utf8'));
      }
      wanted.push(chunk.subarray(start));
    }
    const last = Buffer.concat(wanted);
    return record < line || last.length === 0 ? undefined : fieldsOf(last.toString('utf8'));
  } finally {
    text.destroy();
  }
}

/** One record's text split at unescaped delimiters, each field unescaped as COPY reads it. */
export function fieldsOf(record: string): (string | null)[] {
  const fields: (string | null)[] = [];
  let value = '';
  let written = '';
  let escaped = false;
  for (const c of record) {
    if (escaped) {
      value += ESCAPES[c] ?? c;
      written += c;
      escaped = false;
    } else if (c === '\\') {
      escaped = true;
      written += c;
    } else if (c === copyFormat.delimiter) {
      fields.push(written === copyFormat.nullString ? null : value);
      value = '';
      written = '';
    } else {
      value += c;
      written += c;
    }
  }
  fields.push(written === copyFormat.nullString ? null : value);
  return fields;
}

/** COPY's text format reads these backslash sequences as control characters. */
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };
