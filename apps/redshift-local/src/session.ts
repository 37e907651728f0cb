import { connect, type Socket } from 'node:net';
import {
  commandComplete,
  errorResponse,
  frameReader,
  noticeResponse,
  parseFields,
  parseRowDescription,
  readyForQuery,
} from './protocol/frames';
import { executeUnload, type UnloadContext } from './unload/execute';
import { isUnload } from './unload/tokenize';
import { redshiftVersionQuery } from './version';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export interface SessionOptions {
  backendHost: string;
  backendPort: number;
  slices: number;
  log: (line: string) => void;
}

/** The proxy's hold on the backend connection while it runs statements of its own. */
export interface BackendChannel {
  /** Sends messages and collects the answer up to ReadyForQuery. */
  exchange(messages: Buffer): Promise<{ error?: Record<string, string>; rowDescription?: ReturnType<typeof parseRowDescription> }>;
  /** Runs a COPY … TO STDOUT, handing each row over; a returned promise pauses the backend until it settles. */
  copyOut(query: Buffer, onRow: (row: Buffer) => Promise<void> | void): Promise<{ error?: Record<string, string> }>;
}

type Interceptor = (type: number, body: Buffer) => void;

/**
 * One client connection: a transparent relay to a backend connection of its own, except
 * for UNLOAD (executed by the proxy) and `select version()` (answered as Redshift would).
 */
export function handleClient(client: Socket, options: SessionOptions): void {
  let backend: Socket | undefined;
  let status = 'I';
  let intercept: Interceptor | undefined;
  let busy = false;
  let skipUntilSync = false;
  const queued: Buffer[] = [];
  let startup: Buffer = Buffer.alloc(0);
  let started = false;

  const closeBoth = () => {
    client.destroy();
    backend?.destroy();
  };
  client.on('error', closeBoth);
  client.on('close', closeBoth);

  const channel: BackendChannel = {
    exchange: (messages) =>
      new Promise((resolve) => {
        let error: Record<string, string> | undefined;
        let rowDescription: ReturnType<typeof parseRowDescription> | undefined;
        intercept = (type, body) => {
          if (type === 0x45) error = parseFields(body);
          else if (type === 0x54) rowDescription = parseRowDescription(body);
          else if (type === 0x5a) {
            intercept = undefined;
            resolve({ error, rowDescription });
          }
        };
        backend!.write(messages);
      }),
    copyOut: (query, onRow) =>
      new Promise((resolve) => {
        let error: Record<string, string> | undefined;
        let pending = 0;
        intercept = (type, body) => {
          if (type === 0x64) {
            const wait = onRow(body);
            if (wait) {
              if (pending++ === 0) backend!.pause();
              void wait.then(() => {
                if (--pending === 0) backend!.resume();
              });
            }
          } else if (type === 0x45) error = parseFields(body);
          else if (type === 0x5a) {
            intercept = undefined;
            resolve({ error });
          }
        };
        backend!.write(query);
      }),
  };

  const unloadContext: UnloadContext = { backend: channel, slices: options.slices, log: options.log };

  async function runUnload(sql: string) {
    busy = true;
    try {
      const outcome = await executeUnload(sql, unloadContext);
      if (outcome.ok) {
        client.write(
          Buffer.concat([
            noticeResponse({ severity: 'INFO', code: '00000', message: `UNLOAD completed, ${outcome.rows} record(s) unloaded successfully.` }),
            commandComplete('UNLOAD'),
          ]),
        );
      } else {
        client.write(errorResponse({ code: outcome.fields.C ?? 'XX000', message: outcome.fields.M ?? 'UNLOAD failed', detail: outcome.fields.D, hint: outcome.fields.H }));
      }
    } catch (err) {
      client.write(errorResponse({ code: 'XX000', message: `UNLOAD failed: ${(err as Error).message}` }));
    } finally {
      client.write(readyForQuery(status));
      busy = false;
      while (queued.length && !busy) fromClient(queued.shift()!);
    }
  }

  const fromClient = frameReader((type, body, raw) => {
    if (busy) return void queued.push(raw);
    if (skipUntilSync) {
      if (type === 0x53) {
        skipUntilSync = false;
        client.write(readyForQuery(status));
      }
      return;
    }
    if (type === 0x51) {
      const sql = body.toString('utf8', 0, body.length - 1);
      if (isUnload(sql)) return void runUnload(sql);
      const version = redshiftVersionQuery(sql);
      if (version) return void backend!.write(version);
    } else if (type === 0x50) {
      const nameEnd = body.indexOf(0);
      const sql = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
      if (isUnload(sql)) {
        skipUntilSync = true;
        client.write(errorResponse({ code: '0A000', message: 'redshift-local runs UNLOAD through the simple query protocol only (send it as a plain query, without parameters)' }));
        return;
      }
    }
    backend!.write(raw);
  });

  client.on('data', (chunk: Buffer) => {
    if (started) return fromClient(chunk);
    startup = Buffer.concat([startup, chunk]);
    while (!started && startup.length >= 8) {
      const length = startup.readInt32BE(0);
      if (startup.length < length) return;
      const packet = startup.subarray(0, length);
      const code = packet.readInt32BE(4);
      startup = startup.subarray(length);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        client.write('N');
      } else if (code === CANCEL_REQUEST) {
        // The backend's own pid and secret reached the client in BackendKeyData: pass it on.
        const cancel = connect(options.backendPort, options.backendHost, () => cancel.end(packet));
        cancel.on('error', () => undefined);
        client.end();
        return;
      } else {
        started = true;
        openBackend(packet);
      }
    }
  });

  function openBackend(startupPacket: Buffer) {
    backend = connect(options.backendPort, options.backendHost, () => {
      backend!.write(startupPacket);
      if (startup.length) fromClient(startup);
    });
    backend.on('error', closeBoth);
    backend.on('close', closeBoth);
    backend.on(
      'data',
      frameReader((type, body, raw) => {
        if (type === 0x5a) status = String.fromCharCode(body[0]);
        if (intercept) intercept(type, body);
        else client.write(raw);
      }),
    );
  }
}
