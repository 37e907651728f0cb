import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { stack } from './env';

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function connect(database: string, port = stack.pg.port): Promise<Client> {
  const client = new Client({ host: stack.pg.host, port, user: stack.pg.user, database });
  await client.connect();
  return client;
}

/** A throwaway database on the machine's PostgreSQL; `drop()` removes it. */
export async function createDatabase(prefix: string): Promise<{ name: string; drop(): Promise<void> }> {
  const name = uniqueName(prefix);
  const admin = await connect('postgres');
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    name,
    async drop() {
      const c = await connect('postgres');
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Count and an md5 over every row's text form in a stable order: equal means identical tables. */
export async function fingerprint(client: Client, table: string, orderBy: string): Promise<{ count: number; md5: string }> {
  const res = await client.query<{ count: string; md5: string }>(
    `SELECT count(*) AS count, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY ${orderBy}), '')) AS md5 FROM ${table} t`,
  );
  return { count: Number(res.rows[0].count), md5: res.rows[0].md5 };
}

export async function rowsOf(client: Client, table: string, orderBy: string): Promise<unknown[]> {
  return (await client.query(`SELECT * FROM ${table} ORDER BY ${orderBy}`)).rows;
}
