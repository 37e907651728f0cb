/** A table (or other relation) name split into schema and name, both unquoted. */
export interface QualifiedName {
  schema: string;
  name: string;
}

/** The one way ferry writes an SQL identifier: always double-quoted, embedded quotes doubled. */
export function quoteIdent(identifier: string): string {
  if (identifier.length === 0) throw new Error('an SQL identifier cannot be empty');
  if (identifier.includes('\0')) throw new Error('an SQL identifier cannot contain a NUL character');
  return `"${identifier.replace(/"/g, '""')}"`;
}

export function quoteQualified(name: QualifiedName): string {
  return `${quoteIdent(name.schema)}.${quoteIdent(name.name)}`;
}

/**
 * Parses `table`, `schema.table` or `"My Schema"."My.Table"` the way PostgreSQL does:
 * unquoted parts fold to lower case, quoted parts keep their case and may contain dots.
 */
export function parseQualifiedName(text: string, defaultSchema = 'public'): QualifiedName {
  const parts: string[] = [];
  let i = 0;
  const src = text.trim();
  while (i < src.length) {
    if (src[i] === '"') {
      let part = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`unterminated quoted identifier in ${JSON.stringify(text)}`);
        if (src[i] === '"') {
          if (src[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += src[i++];
      }
      parts.push(part);
    } else {
      const end = src.indexOf('.', i);
      const raw = (end === -1 ? src.slice(i) : src.slice(i, end)).trim();
      if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(raw)) {
        throw new Error(`${JSON.stringify(text)} is not a table name: write schema.table, quoting parts with special characters ("My Table")`);
      }
      parts.push(raw.toLowerCase());
      i = end === -1 ? src.length : end;
    }
    if (i < src.length) {
      if (src[i] !== '.') throw new Error(`${JSON.stringify(text)} is not a table name: expected "." after ${JSON.stringify(parts[parts.length - 1])}`);
      i++;
      if (i >= src.length) throw new Error(`${JSON.stringify(text)} is not a table name: it ends with "."`);
    }
  }
  if (parts.length === 1) return { schema: defaultSchema, name: parts[0] };
  if (parts.length === 2) return { schema: parts[0], name: parts[1] };
  throw new Error(`${JSON.stringify(text)} is not a table name: write schema.table (database names are set by the connection)`);
}

/** One name part as PostgreSQL reads it back: bare where it may be, quoted (keeping its case) otherwise. */
export function displayIdent(part: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(part) ? part : quoteIdent(part);
}

/** `schema.name` for logs, summaries and messages; quoted only where PostgreSQL would need it. */
export function displayName(name: QualifiedName): string {
  return `${displayIdent(name.schema)}.${displayIdent(name.name)}`;
}
