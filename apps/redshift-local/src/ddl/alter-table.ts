import { scanSql } from '../sql/scan';
import { rewriteColumn } from './columns';
import type { RewrittenDdl } from './create-table';

/** ALTER TABLE … ADD [COLUMN] <Redshift column definition> ("ALTER TABLE"), rewritten like a CREATE TABLE column. */
export function rewriteAlterTableAddColumn(sql: string): RewrittenDdl | undefined {
  const tokens = scanSql(sql).filter((t) => t.text !== ';');
  if (tokens[0]?.text !== 'ALTER' || tokens[1]?.text !== 'TABLE') return undefined;
  let i = 2;
  if (tokens[i]?.text === 'IF' && tokens[i + 1]?.text === 'EXISTS') i += 2;
  if (tokens[i]?.text === 'ONLY') i++;
  const nameStart = i;
  while (i < tokens.length && (i === nameStart || tokens[i].text === '.' || tokens[i - 1].text === '.')) i++;
  if (tokens[i]?.text !== 'ADD') return undefined;
  const table = sql.slice(tokens[nameStart].start, tokens[i - 1].end);
  let c = i + 1;
  if (tokens[c]?.text === 'COLUMN') c++;
  if (tokens[c]?.text === 'IF' && tokens[c + 1]?.text === 'NOT') c += 3;
  if (c >= tokens.length || ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK'].includes(tokens[c].text)) return undefined;
  const column = rewriteColumn(sql, tokens.slice(c));
  return { sql: `${sql.slice(0, tokens[c].start)}${column.sql}`, table, metadata: { columns: [column.attributes], constraints: column.constraints } };
}
