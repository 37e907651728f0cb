import { Client } from 'pg';

// SYS_UNLOAD_HISTORY (AWS, "SYS_UNLOAD_HISTORY"): one row per UNLOAD, running and finished, with
// its location, rows, files and bytes. Redshift's system log is not part of the client's
// transaction, so the row is written on a connection of its own: an UNLOAD that fails, or whose
// transaction rolls back, keeps its row. Best effort: a database without the table (installed
// before it existed) or a login the side connection cannot make only costs the row, never the UNLOAD.

export interface UnloadHistory {
  started(info: { location: string; fileFormat: string; compression: string }): Promise<void>;
  finished(outcome: { completed: true; rows: number; files: number; bytes: number } | { completed: false; error: string }): Promise<void>;
}

export interface HistoryConnection {
  host: string;
  port: number;
  user: string;
  database: string;
  /** The backend process of the client's session (SYS_UNLOAD_HISTORY's session_id). */
  sessionId?: number;
}

export function unloadHistory(c: HistoryConnection, log: (line: string) => void): UnloadHistory {
  let client: Client | undefined;
  let queryId: string | undefined;
  const skip = (err: Error) => log(`SYS_UNLOAD_HISTORY not recorded: ${err.message}`);
  return {
    async started(info) {
      try {
        client = new Client({ host: c.host, port: c.port, user: c.user, database: c.database });
        client.on('error', () => undefined);
        await client.connect();
        const { rows } = await client.query<{ query_id: string }>(
          `INSERT INTO redshift_local.unload_history (user_id, session_id, database_name, status, start_time, file_format, compression_type, unloaded_location)
           SELECT (SELECT usesysid FROM pg_user WHERE usename = current_user), $1, current_database(), 'running', clock_timestamp()::timestamp, $2, $3, $4
           RETURNING query_id`,
          [c.sessionId ?? null, info.fileFormat, info.compression, info.location],
        );
        queryId = rows[0].query_id;
      } catch (err) {
        skip(err as Error);
        await client?.end().catch(() => undefined);
        client = undefined;
      }
    },
    async finished(outcome) {
      if (!client || queryId === undefined) return;
      try {
        await client.query(
          `UPDATE redshift_local.unload_history SET status = $2, end_time = clock_timestamp()::timestamp,
             duration = (extract(epoch FROM clock_timestamp()::timestamp - start_time) * 1000000)::bigint,
             unloaded_rows = $3, unloaded_files_count = $4, unloaded_files_size = $5, error_message = $6
           WHERE query_id = $1`,
          outcome.completed ? [queryId, 'completed', outcome.rows, outcome.files, outcome.bytes, null] : [queryId, 'aborted', null, null, null, outcome.error],
        );
      } catch (err) {
        skip(err as Error);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
