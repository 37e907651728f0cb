import { scanSql, type SqlToken } from '../sql/scan';
import { identValue, nameList, parenthesized, rewriteColumn, type ColumnAttributes, type InformationalConstraint } from './columns';

/** What Redshift keeps about a table beyond PostgreSQL's catalog ("CREATE TABLE"). */
export interface TableMetadata {
  /** A new table (CREATE), rather than columns added to one (ALTER TABLE … ADD COLUMN). */
  create?: boolean;
  diststyle?: string;
  distkey?: string;
  sortkeyType?: string;
  sortkey?: string[];
  backup?: boolean;
  encodeAuto?: boolean;
  columns: ColumnAttributes[];
  constraints: InformationalConstraint[];
}

export interface RewrittenDdl {
  sql: string;
  /** The table as written (quoting kept): resolved with regclass once the CREATE succeeded. */
  table: string;
  metadata: TableMetadata;
}

/** Splits tokens at top-level commas of a parenthesized list. */
function splitElements(inner: SqlToken[]): SqlToken[][] {
  const out: SqlToken[][] = [[]];
  const depth = inner[0]?.depth;
  for (const t of inner) {
    if (t.text === ',' && t.depth === depth) out.push([]);
    else out[out.length - 1].push(t);
  }
  return out.filter((e) => e.length > 0);
}

/** A table constraint (PRIMARY KEY / UNIQUE / FOREIGN KEY), or undefined for anything else. */
function tableConstraint(sql: string, tokens: SqlToken[]): InformationalConstraint | undefined {
  let i = 0;
  let name: string | undefined;
  if (tokens[0].text === 'CONSTRAINT') {
    name = identValue(tokens[1]);
    i = 2;
  }
  const kind = tokens[i]?.text;
  if (kind !== 'PRIMARY' && kind !== 'UNIQUE' && kind !== 'FOREIGN') return undefined;
  while (i < tokens.length && tokens[i].text !== '(') i++;
  const cols = parenthesized(tokens, i);
  if (kind !== 'FOREIGN') return { type: kind === 'PRIMARY' ? 'p' : 'u', name, columns: nameList(cols.inner) };
  let j = cols.next + 1; // after REFERENCES
  const start = j;
  while (j < tokens.length && tokens[j].text !== '(') j++;
  const refTable = sql.slice(tokens[start].start, tokens[j - 1].end);
  return { type: 'f', name, columns: nameList(cols.inner), refTable, refColumns: j < tokens.length ? nameList(parenthesized(tokens, j).inner) : undefined };
}

/**
 * Rewrites a CREATE TABLE in Redshift's dialect ("CREATE TABLE") into PostgreSQL's, and
 * returns what has to be recorded about it. Undefined for anything else (including
 * CREATE TABLE … AS, which passes through).
 */
export function rewriteCreateTable(sql: string): RewrittenDdl | undefined {
  const tokens = scanSql(sql);
  let i = 0;
  if (tokens[i]?.text !== 'CREATE') return undefined;
  i++;
  while (['TEMP', 'TEMPORARY', 'LOCAL'].includes(tokens[i]?.text)) i++;
  if (tokens[i]?.text !== 'TABLE') return undefined;
  i++;
  if (tokens[i]?.text === 'IF' && tokens[i + 1]?.text === 'NOT' && tokens[i + 2]?.text === 'EXISTS') i += 3;
  const nameStart = i;
  while (i < tokens.length && tokens[i].text !== '(' && tokens[i].depth === 0 && (tokens[i].kind !== 'word' || i === nameStart || tokens[i - 1].text === '.'))
    i++;
  if (tokens[i]?.text !== '(' || i === nameStart) return undefined;
  const table = sql.slice(tokens[nameStart].start, tokens[i - 1].end);
  const head = sql.slice(0, tokens[i].start);
  const list = parenthesized(tokens, i);
  const metadata: TableMetadata = { create: true, columns: [], constraints: [] };
  const elements: string[] = [];
  for (const element of splitElements(list.inner)) {
    const constraint = tableConstraint(sql, element);
    if (constraint) metadata.constraints.push(constraint);
    else if (['LIKE', 'CHECK', 'CONSTRAINT', 'EXCLUDE'].includes(element[0].text) && element[0].kind === 'word')
      elements.push(sql.slice(element[0].start, element[element.length - 1].end));
    else {
      const column = rewriteColumn(sql, element);
      elements.push(column.sql);
      metadata.columns.push(column.attributes);
      metadata.constraints.push(...column.constraints);
    }
  }

  // Table attributes ("CREATE TABLE" parameters): recorded, not passed on; others kept.
  const rest: string[] = [];
  let j = list.next;
  while (j < tokens.length) {
    const t = tokens[j];
    if (t.text === ';') break;
    if (t.text === 'DISTSTYLE') {
      metadata.diststyle = tokens[j + 1].text;
      j += 2;
    } else if (t.text === 'DISTKEY' && tokens[j + 1]?.text === '(') {
      const p = parenthesized(tokens, j + 1);
      metadata.distkey = nameList(p.inner)[0];
      metadata.diststyle ??= 'KEY';
      j = p.next;
    } else if ((t.text === 'COMPOUND' || t.text === 'INTERLEAVED') && tokens[j + 1]?.text === 'SORTKEY') {
      metadata.sortkeyType = t.text;
      j++;
    } else if (t.text === 'SORTKEY') {
      if (tokens[j + 1]?.text === 'AUTO') {
        metadata.sortkeyType = 'AUTO';
        j += 2;
      } else {
        const p = parenthesized(tokens, j + 1);
        metadata.sortkey = nameList(p.inner);
        metadata.sortkeyType ??= 'COMPOUND';
        j = p.next;
      }
    } else if (t.text === 'ENCODE' && tokens[j + 1]?.text === 'AUTO') {
      metadata.encodeAuto = true;
      j += 2;
    } else if (t.text === 'BACKUP') {
      metadata.backup = tokens[j + 1].text === 'YES';
      j += 2;
    } else {
      rest.push(sql.slice(t.start, t.end));
      j++;
    }
  }
  return { sql: `${head}(\n  ${elements.join(',\n  ')}\n)${rest.length ? ` ${rest.join(' ')}` : ''}`, table, metadata };
}
