import type { Named } from '@ferry/config';
import { postgresSessionSettings } from '@ferry/postgres';
import { redshiftSessionSettings } from '@ferry/redshift';
import { sessionSetup } from '@ferry/sql';

const SETTINGS: Record<Named['kind'], readonly string[]> = { postgres: postgresSessionSettings, redshift: redshiftSessionSettings };

/** The query that puts a session of `connection` under its side's settings, after `RESET ALL` when it was used before. */
export function sessionSettingsSql(connection: Named, reused: boolean): string {
  return sessionSetup(SETTINGS[connection.kind], reused);
}
