import type { Connection, Named } from './schema';

/** Where a connection points: host:port/database, or over the Data API the cluster or workgroup and database. */
export function connectionWhere(c: Connection | Named): string {
  if (c.kind === 'redshift' && c.transport === 'data-api') {
    return c.clusterIdentifier !== undefined ? `cluster ${c.clusterIdentifier}/${c.database}` : `workgroup ${c.workgroupName}/${c.database}`;
  }
  const port = c.port ?? (c.kind === 'redshift' ? 5439 : 5432);
  return `${c.host}:${port}/${c.database}`;
}

/** How messages name a connection: its config name and where it points, never a credential. */
export function connectionLabel(c: Connection | Named): string {
  const where = connectionWhere(c);
  const name = (c as Named).name;
  return name ? `connection ${JSON.stringify(name)} (${where})` : `connection ${where}`;
}
