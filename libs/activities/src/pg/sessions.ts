import type { Client } from 'pg';
import type { Named } from '@ferry/config';
import { openClient } from './open-client';

/**
 * Logged-in sessions that finished activities left idle, kept for the next activity on the
 * same connection: a small table's five activities and its part loads would otherwise each
 * pay a connect, TLS handshake and login (and on Redshift a new session). Sessions are kept
 * per application name, so the database still shows which step a session serves (Redshift
 * cannot SET application_name), at most MAX_IDLE of each, closed after IDLE_MS unused.
 */
const IDLE_MS = 10_000;
const MAX_IDLE = 8;

interface IdleSession {
  client: Client;
  timer: NodeJS.Timeout;
}

const idle = new Map<string, IdleSession[]>();

// node-postgres has Client#ref/unref (its socket's); @types/pg does not declare them.
const socketOf = (client: Client) => client as unknown as { ref(): void; unref(): void };

// The connection's settings, not its name alone: one process may hold configs that reuse names (tests do).
const keyOf = (connection: Named, applicationName: string) => JSON.stringify([applicationName, connection]);

/**
 * An idle session of this connection, or a new one. RESET ALL undoes whatever the previous
 * activity SET (search_path, DateStyle, extra_float_digits; PostgreSQL and Redshift both
 * have it), and finds a session the server closed meanwhile, which is dropped.
 */
export async function takeSession(connection: Named, applicationName: string): Promise<Client> {
  const sessions = idle.get(keyOf(connection, applicationName));
  for (let s = sessions?.pop(); s; s = sessions?.pop()) {
    clearTimeout(s.timer);
    socketOf(s.client).ref();
    try {
      await s.client.query('RESET ALL');
      return s.client;
    } catch {
      await s.client.end().catch(() => undefined);
    }
  }
  return openClient(connection, applicationName);
}

/**
 * Keeps the session for the next activity when the one that used it succeeded and left no
 * transaction open; otherwise (a failure, a cancelled statement, a COPY cut short) closes it.
 */
export function returnSession(connection: Named, applicationName: string, client: Client, reusable: boolean): Promise<void> {
  const key = keyOf(connection, applicationName);
  const sessions = idle.get(key) ?? [];
  if (!reusable || client.getTransactionStatus() !== 'I' || sessions.length >= MAX_IDLE) return client.end().catch(() => undefined);
  // Listeners an activity added (unload's notices) belong to that activity.
  client.removeAllListeners('notice');
  client.removeAllListeners('notification');
  const session: IdleSession = {
    client,
    timer: setTimeout(() => {
      const at = sessions.indexOf(session);
      if (at < 0) return;
      sessions.splice(at, 1);
      void client.end().catch(() => undefined);
    }, IDLE_MS).unref(),
  };
  // An idle session must not keep a stopping worker (or a test) alive.
  socketOf(client).unref();
  sessions.push(session);
  idle.set(key, sessions);
  return Promise.resolve();
}
