import { firstWord } from '../sql/scan';
import { rewriteAlterTableAddColumn } from './alter-table';
import { rewriteCreateTable, type RewrittenDdl } from './create-table';

export { hasMetadata, recordSql } from './metadata';
export type { RewrittenDdl } from './create-table';

/** CREATE TABLE and ALTER TABLE … ADD COLUMN in Redshift's dialect; undefined for any other statement. */
export function rewriteDdl(sql: string): RewrittenDdl | undefined {
  const word = /create|alter/i.test(sql) ? firstWord(sql) : undefined;
  if (word === 'CREATE') return rewriteCreateTable(sql);
  if (word === 'ALTER') return rewriteAlterTableAddColumn(sql);
  return undefined;
}
