import { connect, type Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { quoteLiteral } from '@ferry/sql';
import { Backend, type ErrorFields } from './backend';
import {
  bindComplete,
  CANCEL_REQUEST,
  buildParse,
  closeComplete,
  commandComplete,
  errorResponse,
  fieldsMessage,
  FrameBatch,
  frameReader,
  noData,
  noParameters,
  noticeResponse,
  parseBind,
  parseComplete,
  parseExecute,
  parseParse,
  parseTarget,
  queryMessage,
  readyForQuery,
} from './protocol/frames';
import { hasMetadata, recordSql, rewriteDdl, type RewrittenDdl } from './ddl';
import { rewriteStatement } from './sql/rewrite';
import { firstWord, splitStatements } from './sql/scan';
import { startupParams, withRedshiftDefaults } from './startup';
import { BACKING_TYPES_QUERY, backingTypes } from './types/lookup';
import { executeUnload, type UnloadOutcome } from './unload/execute';
import { unloadHistory } from './unload/history';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

// Frontend message types.
const QUERY = 0x51; // Q
const PARSE = 0x50; // P
const BIND = 0x42; // B
const DESCRIBE = 0x44; // D
const EXECUTE = 0x45; // E
const CLOSE = 0x43; // C
const SYNC = 0x53; // S
const FUNCTION_CALL = 0x46; // F
const FLUSH = 0x48; // H
/** PasswordMessage and the SASL/GSS responses: authentication, before the session exists. */
const PASSWORD = 0x70; // p
const EXTENDED = new Set([PARSE, BIND, DESCRIBE, EXECUTE, CLOSE, FLUSH]);

const MIXED_BATCH = 'redshift-local cannot run other statements in the same extended-protocol batch (before one Sync) as an UNLOAD';

export interface SessionOptions {
  backendHost: string;
  backendPort: number;
  slices: number;
  /** Test-only (server.ts): the part size that replaces MAXFILESIZE's. */
  testPartBytes?: number;
  log: (line: string) => void;
  /** Set: an SSLRequest is answered 'S' and the session continues over TLS. */
  tls?: SecureContext;
  requireTls: boolean;
  /** The roles associated with the cluster (server.ts); unset, any. */
  iamRoles?: string[];
  /** This socket is the TLS layer over the client's connection already. */
  secured?: boolean;
}

const isUnload = (sql: string) => /unload/i.test(sql) && firstWord(sql) === 'UNLOAD';
/** Redshift DDL with attributes to record once it succeeded (dist/sort keys, encodings, identity, informational constraints). */
const recordedDdl = (sql: string): RewrittenDdl | undefined => {
  const ddl = /create|alter/i.test(sql) ? rewriteDdl(sql) : undefined;
  return ddl && hasMetadata(ddl) ? ddl : undefined;
};

/**
 * One client connection: a transparent relay to a backend connection of its own, except for
 * UNLOAD (executed by the proxy, through the simple or the extended query protocol) and
 * `version()` (answered with Redshift's banner).
 *
 * While the proxy runs an UNLOAD, the client's further messages wait in a queue; the UNLOAD
 * starts only once the backend has answered everything sent before it, so nothing the
 * client is owed gets mixed up with the proxy's own traffic.
 */
export function handleClient(client: Socket, options: SessionOptions): void {
  client.setNoDelay(true);
  let backend: Backend | undefined;
  let startup: Buffer = Buffer.alloc(0);
  let started = false;
  let busy = false;
  const queued: Buffer[] = [];
  /** Prepared statements (by name, '' = unnamed) whose text is an UNLOAD: the backend never saw them. */
  const unloadStatements = new Map<string, string>();
  /** An extended-protocol batch that involves an UNLOAD, or a DDL to record, collected up to its Sync. */
  let batch: Buffer[] | undefined;
  let batchDdl: RewrittenDdl | undefined;
  /** The database has sql/redshift-types.sql's metadata tables (found by the type lookup). */
  let recordsMetadata = false;
  /** Extended-protocol messages went on since the last Sync (the backend holds an open batch). */
  let openBatch = false;
  const toBackend = new FrameBatch();
  let syncPoints = 0;
  let who = `${client.remoteAddress}:${client.remotePort}`;
  let login: { user: string; database: string } | undefined;
  /** The database's own OIDs of Redshift's types are looked up before the client's first message after authentication. */
  let typesLookedUp = false;

  const closeBoth = () => {
    client.destroy();
    backend?.destroy();
  };
  client.on('error', closeBoth);
  client.on('close', () => {
    if (started) options.log(`connection ${who} closed`);
    closeBoth();
  });

  const flushToBackend = () => {
    const bytes = toBackend.take();
    if (bytes) backend!.send(bytes, syncPoints);
    syncPoints = 0;
  };
  const forward = (raw: Buffer, syncPoint = false) => {
    toBackend.add(raw);
    if (syncPoint) {
      syncPoints++;
      openBatch = false;
    } else if (EXTENDED.has(raw[0])) {
      openBatch = true;
    }
  };

  /** Runs a job of the proxy's own once the backend is idle; the client's messages queue meanwhile. */
  const runJob = (job: () => Promise<void>) => {
    flushToBackend();
    busy = true;
    void (async () => {
      try {
        if (openBatch) backend!.injectSync();
        openBatch = false;
        await backend!.idle();
        await job();
      } catch (err) {
        options.log(`connection ${who}: ${(err as Error).stack ?? err}`);
        client.write(Buffer.concat([errorResponse({ code: 'XX000', message: `redshift-local: ${(err as Error).message}` }), readyForQuery(backend!.status)]));
      } finally {
        busy = false;
        while (queued.length && !busy) onFrame(queued.shift()!);
        if (!busy) flushToBackend();
      }
    })();
  };

  /** One small query of the proxy's own, run as a job so it is answered before anything the client sends. */
  async function lookUpTypes(): Promise<void> {
    const { error, rows } = await backend!.exchange(queryMessage(BACKING_TYPES_QUERY));
    if (error) options.log(`connection ${who}: could not look up Redshift's types: ${error.M}`);
    else {
      const backing = backingTypes(rows);
      backend!.setBackingTypes(backing);
      recordsMetadata = backing.varbyte !== undefined;
    }
  }

  function onFrame(raw: Buffer): void {
    const type = raw[0];
    const body = raw.subarray(5);
    if (!typesLookedUp && type !== PASSWORD) {
      typesLookedUp = true;
      runJob(lookUpTypes);
    }
    if (busy) return void queued.push(raw);
    if (batch) {
      batch.push(raw);
      if (type === SYNC) {
        const frames = batch;
        const ddl = batchDdl;
        batch = batchDdl = undefined;
        runJob(() => (ddl ? runDdlBatch(frames, ddl) : runExtendedBatch(frames)));
      }
      return;
    }
    switch (type) {
      case QUERY: {
        const sql = body.toString('utf8', 0, body.length - 1);
        if (/unload/i.test(sql) && splitStatements(sql).some(isUnload)) return runJob(() => runSimpleQuery(sql));
        if (recordsMetadata && /create|alter/i.test(sql) && splitStatements(sql).some(recordedDdl)) return runJob(() => runSimpleQuery(sql));
        const rewritten = rewriteStatement(sql, { redshiftCatalog: recordsMetadata });
        return forward(rewritten === undefined ? raw : queryMessage(rewritten), true);
      }
      case PARSE: {
        const p = parseParse(body);
        if (isUnload(p.sql)) return void (batch = [raw]);
        unloadStatements.delete(p.name);
        const rewritten = rewriteStatement(p.sql, { redshiftCatalog: recordsMetadata });
        const ddl = recordsMetadata ? recordedDdl(p.sql) : undefined;
        if (ddl) {
          batchDdl = ddl;
          return void (batch = [buildParse(p.name, rewritten ?? p.sql, p.rest)]);
        }
        return forward(rewritten === undefined ? raw : buildParse(p.name, rewritten, p.rest));
      }
      case BIND:
        if (unloadStatements.has(parseBind(body).statement)) return void (batch = [raw]);
        return forward(raw);
      case DESCRIBE: {
        const t = parseTarget(body);
        if (t.kind === 'S' && unloadStatements.has(t.name)) return void (batch = [raw]);
        return forward(raw);
      }
      case CLOSE: {
        const t = parseTarget(body);
        if (t.kind === 'S') unloadStatements.delete(t.name);
        return forward(raw);
      }
      case SYNC:
      case FUNCTION_CALL:
        return forward(raw, true);
      default:
        return forward(raw);
    }
  }

  /** The client's answer to one UNLOAD: Redshift's INFO notice and command tag, or the error. */
  async function reply(outcome: UnloadOutcome): Promise<boolean> {
    if (outcome.ok) {
      client.write(
        Buffer.concat([
          noticeResponse({ severity: 'INFO', code: '00000', message: `UNLOAD completed, ${outcome.rows} record(s) unloaded successfully.` }),
          commandComplete('UNLOAD'),
        ]),
      );
      return true;
    }
    if (!outcome.fromBackend) await failTransaction(outcome.fields);
    client.write(fieldsMessage('E', { S: 'ERROR', V: 'ERROR', ...outcome.fields }));
    return false;
  }

  /**
   * An error of the proxy's own (an option conflict, S3) inside a transaction block: as any
   * error does in Redshift, it aborts the transaction — so the backend's is failed too, and
   * the next ReadyForQuery says so.
   */
  async function failTransaction(fields: ErrorFields): Promise<void> {
    if (backend!.status !== 'T') return;
    await backend!.exchange(
      queryMessage(`DO $redshift_local$BEGIN RAISE EXCEPTION USING MESSAGE = ${quoteLiteral(fields.M ?? 'UNLOAD failed')}; END$redshift_local$`),
    );
  }

  async function unload(sql: string): Promise<UnloadOutcome> {
    options.log(`connection ${who}: ${sql.replace(/\s+/g, ' ').trim().slice(0, 300)}`);
    const log = (line: string) => options.log(`connection ${who}: ${line}`);
    const outcome = await executeUnload(sql, {
      backend: backend!,
      slices: options.slices,
      testPartBytes: options.testPartBytes,
      ...(options.iamRoles && { iamRoles: options.iamRoles }),
      log,
      ...(login && {
        history: unloadHistory({ host: options.backendHost, port: options.backendPort, ...login, sessionId: backend!.processId }, log),
      }),
    });
    if (!outcome.ok) options.log(`connection ${who}: UNLOAD failed: ${outcome.fields.M}`);
    return outcome;
  }

  /** A simple-protocol query with an UNLOAD in it: statement by statement, stopping at the first error, one ReadyForQuery. */
  async function runSimpleQuery(sql: string): Promise<void> {
    for (const statement of splitStatements(sql)) {
      if (isUnload(statement)) {
        if (!(await reply(await unload(statement)))) break;
      } else {
        const { failed } = await backend!.relay(queryMessage(rewriteStatement(statement, { redshiftCatalog: recordsMetadata }) ?? statement));
        if (failed) break;
        const ddl = recordsMetadata ? recordedDdl(statement) : undefined;
        if (ddl) await record(ddl);
      }
    }
    client.write(readyForQuery(backend!.status));
  }

  /** Writes what Redshift keeps about a table the client just created or altered, unseen by the client. */
  async function record(ddl: RewrittenDdl): Promise<void> {
    const { error } = await backend!.exchange(queryMessage(recordSql(ddl)));
    if (error) options.log(`connection ${who}: could not record ${ddl.table}'s Redshift attributes: ${error.M}`);
  }

  /** An extended-protocol batch with a DDL to record: relayed whole, recorded if it succeeded, then the client's ReadyForQuery. */
  async function runDdlBatch(frames: Buffer[], ddl: RewrittenDdl): Promise<void> {
    const { failed } = await backend!.relay(Buffer.concat(frames));
    if (!failed) await record(ddl);
    client.write(readyForQuery(backend!.status));
  }

  /**
   * An extended-protocol batch (Parse/Bind/Describe/Execute/Close … Sync) around an UNLOAD,
   * answered by the proxy: UNLOAD takes no parameters and returns no rows.
   */
  async function runExtendedBatch(frames: Buffer[]): Promise<void> {
    // An error earlier in the client's batch made the backend skip to Sync: so does the proxy.
    let failed = backend!.clientErrorSinceSync;
    const portals = new Map<string, string>();
    const error = (code: string, message: string) => {
      client.write(errorResponse({ code, message }));
      failed = true;
    };
    for (const raw of frames) {
      const type = raw[0];
      const body = raw.subarray(5);
      if (type === SYNC) break;
      if (failed) continue;
      if (type === PARSE) {
        const p = parseParse(body);
        if (!isUnload(p.sql)) error('0A000', MIXED_BATCH);
        else if (p.rest.readInt16BE(0) > 0) error('42P18', 'UNLOAD takes no parameters');
        else {
          unloadStatements.set(p.name, p.sql);
          client.write(parseComplete());
        }
      } else if (type === BIND) {
        const b = parseBind(body);
        const sql = unloadStatements.get(b.statement);
        if (sql === undefined) error('0A000', MIXED_BATCH);
        else if (b.parameters > 0) error('08P01', `bind message supplies ${b.parameters} parameters, but prepared statement "${b.statement}" requires 0`);
        else {
          portals.set(b.portal, sql);
          client.write(bindComplete());
        }
      } else if (type === DESCRIBE) {
        client.write(parseTarget(body).kind === 'S' ? Buffer.concat([noParameters(), noData()]) : noData());
      } else if (type === EXECUTE) {
        const sql = portals.get(parseExecute(body));
        if (sql === undefined) error('34000', `portal "${parseExecute(body)}" does not exist`);
        else if (!(await reply(await unload(sql)))) failed = true;
      } else if (type === CLOSE) {
        const t = parseTarget(body);
        if (t.kind === 'S') unloadStatements.delete(t.name);
        else portals.delete(t.name);
        client.write(closeComplete());
      } else if (type !== FLUSH) {
        error('0A000', MIXED_BATCH);
      }
    }
    client.write(readyForQuery(backend!.status));
  }

  const fromClient = frameReader(
    (_type, _body, raw) => onFrame(raw),
    () => {
      if (!busy) flushToBackend();
    },
  );

  const onData = (chunk: Buffer) => {
    if (started) return fromClient(chunk);
    startup = Buffer.concat([startup, chunk]);
    while (!started && startup.length >= 8) {
      const length = startup.readInt32BE(0);
      if (startup.length < length) return;
      const packet = startup.subarray(0, length);
      const code = packet.readInt32BE(4);
      startup = startup.subarray(length);
      if (code === SSL_REQUEST && options.tls && !options.secured) {
        // The client waits for the answer before it sends anything else: the session goes on over TLS.
        client.write('S');
        client.removeListener('data', onData);
        handleClient(new TLSSocket(client, { isServer: true, secureContext: options.tls }), { ...options, secured: true });
        return;
      } else if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        client.write('N');
      } else if (code === CANCEL_REQUEST) {
        // The backend's own pid and secret reached the client in BackendKeyData: pass them on.
        const cancel = connect(options.backendPort, options.backendHost, () => cancel.end(packet));
        cancel.on('error', () => undefined);
        options.log(`cancel request from ${who} for backend pid ${packet.readInt32BE(8)}`);
        client.end();
        return;
      } else if (options.requireTls && !options.secured) {
        client.end(fieldsMessage('E', { S: 'FATAL', V: 'FATAL', C: '28000', M: 'redshift-local requires SSL: connect with sslmode require or stricter' }));
        return;
      } else {
        started = true;
        const params = startupParams(packet);
        who = `${who} (user ${params.user ?? '?'}, database ${params.database ?? params.user ?? '?'})`;
        if (params.user) login = { user: params.user, database: params.database ?? params.user };
        options.log(`connection ${who} opened`);
        backend = new Backend(options.backendHost, options.backendPort, client, withRedshiftDefaults(packet), () => client.destroy());
        if (startup.length) fromClient(startup);
      }
    }
  };
  client.on('data', onData);
}
