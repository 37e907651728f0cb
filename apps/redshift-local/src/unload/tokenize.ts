/** A token of an UNLOAD statement. Words are upper-cased; strings carry their decoded value. */
export type Token =
  | { kind: 'word'; value: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: string; pos: number }
  | { kind: 'punct'; value: string; pos: number };

export class UnloadSyntaxError extends Error {}

/** Redshift string escapes: a backslash escapes the next character, as AWS's UNLOAD page notes. */
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };

/**
 * Splits an UNLOAD statement into tokens. Knows comments, Redshift's single-quoted strings
 * (doubled quotes and backslash escapes) and dollar quoting, so nothing inside a quoted
 * query is mistaken for an option.
 */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new UnloadSyntaxError('unterminated /* comment');
      i = end + 2;
    } else if (c === "'") {
      const pos = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new UnloadSyntaxError('unterminated quoted string');
        const d = sql[i];
        if (d === '\\' && i + 1 < sql.length) {
          value += ESCAPES[sql[i + 1]] ?? sql[i + 1];
          i += 2;
        } else if (d === "'" && sql[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (d === "'") {
          i++;
          break;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ kind: 'string', value, pos });
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (!tag) throw new UnloadSyntaxError(`syntax error at or near "$"`);
      const end = sql.indexOf(tag[0], i + tag[0].length);
      if (end === -1) throw new UnloadSyntaxError('unterminated dollar-quoted string');
      tokens.push({ kind: 'string', value: sql.slice(i + tag[0].length, end), pos: i });
      i = end + tag[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))!;
      tokens.push({ kind: 'word', value: m[0].toUpperCase(), pos: i });
      i += m[0].length;
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9]*\.?[0-9]+/.exec(sql.slice(i));
      if (!m) throw new UnloadSyntaxError(`syntax error at or near "${c}"`);
      tokens.push({ kind: 'number', value: m[0], pos: i });
      i += m[0].length;
    } else if ('(),;='.includes(c)) {
      tokens.push({ kind: 'punct', value: c, pos: i });
      i++;
    } else {
      throw new UnloadSyntaxError(`syntax error at or near "${c}"`);
    }
  }
  return tokens;
}

/** True when the statement's first word is UNLOAD (comments and whitespace skipped). */
export function isUnload(sql: string): boolean {
  return /^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*unload\b/i.test(sql);
}
