/**
 * What every target session runs under, whatever the database's or role's defaults
 * (`ALTER DATABASE … SET TimeZone`, a DBA's DateStyle): the text a value is read from and
 * printed as must mean the same on every target. A TIMETZ or TIMESTAMP written without an
 * offset would otherwise be read in the session's time zone, a negative interval under
 * IntervalStyle sql_standard would change sign, and bytes printed as text would change form.
 */
export const postgresSessionSettings: readonly string[] = [
  `SET DateStyle = 'ISO, MDY'`,
  `SET TimeZone = 'UTC'`,
  `SET IntervalStyle = 'postgres'`,
  `SET bytea_output = 'hex'`,
];
