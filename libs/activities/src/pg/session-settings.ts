import type { Named } from '@ferry/config';

/**
 * What every session of a connection runs under, whatever the database's or role's defaults
 * (`ALTER DATABASE … SET TimeZone`, a DBA's DateStyle): the text a value is read from and
 * printed as must mean the same on every target. A TIMETZ or TIMESTAMP written without an
 * offset would otherwise be read in the session's time zone, a negative interval under
 * IntervalStyle sql_standard would change sign, and bytes printed as text would change form.
 * Redshift knows only the first two settings.
 */
const SETTINGS: Record<Named['kind'], string[]> = {
  postgres: [`SET DateStyle = 'ISO, MDY'`, `SET TimeZone = 'UTC'`, `SET IntervalStyle = 'postgres'`, `SET bytea_output = 'hex'`],
  redshift: [`SET DateStyle TO 'ISO, MDY'`, `SET TimeZone TO 'UTC'`],
};

/** One simple-protocol query: the settings, after `RESET ALL` when the session was used before. */
export function sessionSettingsSql(connection: Named, reset: boolean): string {
  return [...(reset ? ['RESET ALL'] : []), ...SETTINGS[connection.kind]].join('; ');
}
