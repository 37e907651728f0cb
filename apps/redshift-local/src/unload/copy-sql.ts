import { quoteIdent, quoteLiteral } from '@ferry/sql';
import { REDSHIFT_OID } from '../types/oids';

const TIMESTAMPTZ = 1184;
const TIMETZ = 1266;

/**
 * The COPY that feeds an UNLOAD: the query wrapped so values come out as Redshift writes
 * them, whatever the client's session says. `types` are the columns' Redshift type OIDs
 * (the backing ones mapped, so a plain bytea counts as VARBYTE and jsonb as SUPER):
 * - timestamptz and timetz in UTC with `+00` (PostgreSQL would use the session's TimeZone;
 *   converting here leaves the session alone);
 * - VARBYTE as plain hex ("VARBYTE type": Redshift prints VARBYTE values in hex);
 * - SUPER as its JSON text, SQL NULL included: "Unloading semistructured data" — SUPER
 *   columns are exported in JSON format, null as JSON represents it, ignoring NULL AS (a SQL
 *   NULL written as `null` is our reading of that sentence — assumed).
 * HLLSKETCH's text is its documented form; GEOMETRY/GEOGRAPHY's (PostGIS) is hex EWKB;
 * booleans (`t`/`f`), numerics at their scale, CHAR's padding, TIME's 24:00:00, BC dates
 * and timestamps with only their significant fractional digits are what PostgreSQL's text
 * output gives; floats follow the session's extra_float_digits (Redshift's default 0 is
 * set at startup, see startup.ts).
 * Columns are renamed by position, so duplicate or odd names in the query do not matter;
 * the newline before `)` keeps a trailing `--` comment in the query from swallowing it.
 * ENCODING 'UTF8' because Redshift's files are UTF-8 whatever the client's encoding.
 */
export function copySql(query: string, types: number[]): string {
  const names = types.map((_, i) => quoteIdent(`c${i + 1}`));
  const exprs = types.map((oid, i) => {
    if (oid === TIMESTAMPTZ) return `((${names[i]} AT TIME ZONE 'UTC')::text || '+00')`;
    if (oid === TIMETZ) return `((${names[i]} AT TIME ZONE 'UTC')::time::text || '+00')`;
    if (oid === REDSHIFT_OID.VARBYTE) return `encode(${names[i]}, 'hex')`;
    if (oid === REDSHIFT_OID.SUPER) return `coalesce(${names[i]}::text, 'null')`;
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
