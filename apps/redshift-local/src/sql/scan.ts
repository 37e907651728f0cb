/**
 * A small lexer for the SQL that passes through the proxy (PostgreSQL's rules: standard
 * strings, E'' strings, dollar quotes, quoted identifiers, nested block comments). It only
 * finds boundaries — it never decodes — so the proxy can look at a statement's words
 * without mistaking the inside of a string or comment for SQL.
 */
export interface SqlToken {
  kind: 'word' | 'string' | 'ident' | 'number' | 'punct';
  /** Words upper-cased; everything else as written. */
  text: string;
  start: number;
  end: number;
  /** Parenthesis depth the token sits at (0 = the statement's own level). */
  depth: number;
}

const isWordStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isWordPart = (c: number) => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number) => c >= 48 && c <= 57;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

export function scanSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let depth = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    const start = i;
    if (c <= 32) {
      i++;
    } else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      // PostgreSQL block comments nest.
      let level = 1;
      i += 2;
      while (i < n && level > 0) {
        if (sql.startsWith('/*', i)) {
          level++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          level--;
          i += 2;
        } else i++;
      }
    } else if (c === 39 || ((c === 69 || c === 101) && sql.charCodeAt(i + 1) === 39 && !isWordPart(sql.charCodeAt(i - 1)))) {
      const backslashes = c !== 39;
      i += backslashes ? 2 : 1;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (backslashes && d === 92) i += 2;
        else if (d === 39 && sql.charCodeAt(i + 1) === 39) i += 2;
        else if (d === 39) break;
        else i++;
      }
      i = Math.min(i + 1, n);
      tokens.push({ kind: 'string', text: sql.slice(start, i), start, end: i, depth });
    } else if (c === 36 && DOLLAR_TAG.test(sql.slice(i, i + 64))) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      i = close === -1 ? n : close + tag.length;
      tokens.push({ kind: 'string', text: sql.slice(start, i), start, end: i, depth });
    } else if (c === 34) {
      i++;
      while (i < n && !(sql.charCodeAt(i) === 34 && sql.charCodeAt(i + 1) !== 34)) i += sql.charCodeAt(i) === 34 ? 2 : 1;
      i = Math.min(i + 1, n);
      tokens.push({ kind: 'ident', text: sql.slice(start, i), start, end: i, depth });
    } else if (isWordStart(c)) {
      while (i < n && isWordPart(sql.charCodeAt(i))) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i).toUpperCase(), start, end: i, depth });
    } else if (isDigit(c)) {
      while (i < n && (isDigit(sql.charCodeAt(i)) || sql[i] === '.')) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), start, end: i, depth });
    } else {
      if (c === 41) depth = Math.max(0, depth - 1);
      tokens.push({ kind: 'punct', text: sql[i], start, end: i + 1, depth });
      if (c === 40) depth++;
      i++;
    }
  }
  return tokens;
}

/** The statement's first keyword (comments and whitespace skipped), upper-cased. */
export function firstWord(sql: string): string | undefined {
  const t = scanSql(sql)[0];
  return t?.kind === 'word' ? t.text : undefined;
}

/** The statement without trailing semicolons (and whatever whitespace/comments surround them). */
export function stripTrailingSemicolons(sql: string): string {
  const tokens = scanSql(sql);
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last].kind === 'punct' && tokens[last].text === ';') last--;
  return last < 0 ? '' : sql.slice(0, tokens[last].end);
}

/** True when a LIMIT clause applies to the statement's outer SELECT (not to a subquery). */
export function hasOuterLimit(sql: string): boolean {
  return scanSql(sql).some((t) => t.depth === 0 && t.kind === 'word' && t.text === 'LIMIT');
}

/** Splits a simple-protocol query string into its statements at top-level semicolons. */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const t of scanSql(sql)) {
    if (t.kind === 'punct' && t.text === ';' && t.depth === 0) {
      if (scanSql(sql.slice(from, t.start)).length) out.push(sql.slice(from, t.start));
      from = t.end;
    }
  }
  if (scanSql(sql.slice(from)).length) out.push(sql.slice(from));
  return out;
}
