import { quoteIdent, quoteLiteral } from '@ferry/sql';
import type { ColumnDescription } from '../protocol/frames';

const TIMESTAMPTZ = 1184;
const TIMETZ = 1266;
const BYTEA = 17;

/**
 * The COPY that feeds an UNLOAD: the query wrapped so values come out as Redshift writes
 * them, whatever the client's session says —
 * - timestamptz and timetz in UTC with `+00` (PostgreSQL would use the session's TimeZone;
 *   converting here leaves the session alone);
 * - bytea as plain hex, the way Redshift unloads VARBYTE.
 * Booleans (`t`/`f`), numerics at their scale and timestamps with only their significant
 * fractional digits are already what PostgreSQL's text output gives.
 * Columns are renamed by position, so duplicate or odd names in the query do not matter;
 * the newline before `)` keeps a trailing `--` comment in the query from swallowing it.
 * ENCODING 'UTF8' because Redshift's files are UTF-8 whatever the client's encoding.
 */
export function copySql(query: string, columns: ColumnDescription[]): string {
  const names = columns.map((_, i) => quoteIdent(`c${i + 1}`));
  const exprs = columns.map((c, i) => {
    if (c.typeOid === TIMESTAMPTZ) return `((${names[i]} AT TIME ZONE 'UTC')::text || '+00')`;
    if (c.typeOid === TIMETZ) return `((${names[i]} AT TIME ZONE 'UTC')::time::text || '+00')`;
    if (c.typeOid === BYTEA) return `encode(${names[i]}, 'hex')`;
    return names[i];
  });
  return `COPY (SELECT ${exprs.join(', ')} FROM (${query}\n) AS unload_source(${names.join(', ')})) TO STDOUT WITH (FORMAT text, ENCODING 'UTF8')`;
}

/**
 * Date/time output follows the session's DateStyle and IntervalStyle; Redshift always writes
 * ISO. When the client's session differs (PostgreSQL reports both in ParameterStatus), the
 * proxy sets them for the COPY and puts the client's values back afterwards.
 */
export function sessionSettingsFor(params: Map<string, string>): { set: string; restore: string } | undefined {
  const dateStyle = params.get('DateStyle');
  const intervalStyle = params.get('IntervalStyle');
  const dateOk = dateStyle === undefined || dateStyle.startsWith('ISO');
  const intervalOk = intervalStyle === undefined || intervalStyle === 'postgres';
  if (dateOk && intervalOk) return undefined;
  return {
    set: `SELECT set_config('DateStyle', 'ISO, MDY', false), set_config('IntervalStyle', 'postgres', false)`,
    restore: `SELECT set_config('DateStyle', ${quoteLiteral(dateStyle ?? 'ISO, MDY')}, false), set_config('IntervalStyle', ${quoteLiteral(intervalStyle ?? 'postgres')}, false)`,
  };
}
