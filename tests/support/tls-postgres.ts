import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { makeTestPki } from './certificates';

const run = promisify(execFile);
const PG_BIN = process.env.FERRY_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** A PostgreSQL cluster of a test's own that accepts TLS connections only, with a CA made for it. */
export interface TlsPostgres {
  /** The name its certificate is issued for (not 127.0.0.1, so a test can connect by a wrong name). */
  host: 'localhost';
  port: number;
  /** The CA that signed the server certificate, and an unrelated one. */
  caFile: string;
  otherCaFile: string;
  /** A login role with a password (scram-sha-256 over TLS) and a database it owns. */
  user: string;
  password: string;
  database: string;
  /** An admin client over the cluster's Unix socket (trust), for setting up tables. */
  admin(database?: string): Promise<Client>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * initdb into a temp dir, its own port, `ssl = on` and only `hostssl` lines in pg_hba.conf
 * (plus the Unix socket for the harness itself). PostgreSQL refuses to run as root, so as
 * root the cluster runs as the `postgres` OS user.
 */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-tls-pg-'));
  const data = path.join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const { uid, gid } = asRoot ? await postgresUser() : { uid: -1, gid: -1 };
  const pgRun = (bin: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, bin), ...args]) : run(path.join(PG_BIN, bin), args);
  chmodSync(dir, 0o755);
  const pki = await makeTestPki('localhost');
  chmodSync(pki.dir, 0o755);
  const certs = { ca: pki.ca.cert, otherCa: pki.rogueCa.cert, cert: pki.server.cert, key: pki.server.key };
  chmodSync(certs.key, 0o600);
  if (asRoot) {
    chownSync(dir, uid, gid);
    chownSync(certs.key, uid, gid);
    chownSync(certs.cert, uid, gid);
  }
  await pgRun('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  appendFileSync(
    path.join(data, 'postgresql.conf'),
    [
      `port = ${port}`,
      `listen_addresses = 'localhost'`,
      `unix_socket_directories = '${dir}'`,
      'ssl = on',
      `ssl_cert_file = '${certs.cert}'`,
      `ssl_key_file = '${certs.key}'`,
      'fsync = off',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(data, 'pg_hba.conf'),
    ['local all all trust', 'hostssl all all 127.0.0.1/32 scram-sha-256', 'hostssl all all ::1/128 scram-sha-256', ''].join('\n'),
  );
  await pgRun('pg_ctl', ['-D', data, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);

  const admin = async (database = 'postgres') => {
    const client = new Client({ host: dir, port, user: 'postgres', database });
    await client.connect();
    return client;
  };
  const user = 'ferry_tls';
  const password = randomBytes(12).toString('hex');
  const database = 'ferry_tls_target';
  const c = await admin();
  await c.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  await c.query(`CREATE DATABASE ${database} OWNER ${user}`);
  await c.end();
  return {
    host: 'localhost',
    port,
    caFile: certs.ca,
    otherCaFile: certs.otherCa,
    user,
    password,
    database,
    admin,
    async stop() {
      await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['postgres']);
  const uid = Number(/uid=(\d+)/.exec(stdout)![1]);
  const gid = Number(/gid=(\d+)/.exec(stdout)![1]);
  return { uid, gid };
}
