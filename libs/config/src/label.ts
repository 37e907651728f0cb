import type { Connection, Named } from './schema';

/** How messages name a connection: its config name and where it points, never a credential. */
export function connectionLabel(c: Connection | Named): string {
  const port = c.port ?? (c.kind === 'redshift' ? 5439 : 5432);
  const where = `${c.host}:${port}/${c.database}`;
  const name = (c as Named).name;
  return name ? `connection ${JSON.stringify(name)} (${where})` : `connection ${where}`;
}
