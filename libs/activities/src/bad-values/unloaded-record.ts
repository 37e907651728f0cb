import type { Readable } from 'node:stream';
import { copyFormat } from '../copy-format';

/**
 * Record `line` (from 1) of an unloaded part, split into its fields and unescaped, or
 * undefined when the part is shorter. Reads the stream only up to that record. Records end at
 * an unescaped LF and fields at an unescaped delimiter: a backslash escapes the next
 * character, as in the text UNLOAD writes with ESCAPE and COPY reads (copy-format.ts).
 * A field written exactly `\N` is NULL.
 */
export async function unloadedRecord(text: Readable, line: number): Promise<(string | null)[] | undefined> {
  let record = 1;
  let escaped = false;
  const fields: (string | null)[] = [];
  let value = '';
  let written = '';
  const endField = () => {
    fields.push(written === copyFormat.nullString ? null : value);
    value = '';
    written = '';
  };
  try {
    for await (const chunk of text) {
      for (const c of String(chunk)) {
        if (record < line) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '\n') record++;
          continue;
        }
        if (escaped) {
          value += ESCAPES[c] ?? c;
          written += c;
          escaped = false;
        } else if (c === '\\') {
          escaped = true;
          written += c;
        } else if (c === copyFormat.delimiter) endField();
        else if (c === '\n') {
          endField();
          return fields;
        } else {
          value += c;
          written += c;
        }
      }
    }
    if (record < line || (fields.length === 0 && written === '')) return undefined;
    endField();
    return fields;
  } finally {
    text.destroy();
  }
}

/** COPY's text format reads these backslash sequences as control characters. */
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v' };
