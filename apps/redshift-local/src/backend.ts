import { connect, type Socket } from 'node:net';
import {
  CANCEL_REQUEST,
  FrameBatch,
  frameReader,
  parseDataRow,
  parseFields,
  parseRowDescription,
  syncMessage,
  type ColumnDescription,
} from './protocol/frames';
import { rewriteRowDescriptionOids } from './protocol/row-description';
import { oidMapper, type BackingTypes, type OidMapper } from './types/oids';

// Backend message types the proxy looks at.
const READY_FOR_QUERY = 0x5a; // Z
const ERROR_RESPONSE = 0x45; // E
const NOTICE_RESPONSE = 0x4e; // N
const NOTIFICATION = 0x41; // A
const PARAMETER_STATUS = 0x53; // S
const BACKEND_KEY_DATA = 0x4b; // K
const ROW_DESCRIPTION = 0x54; // T
const COPY_DATA = 0x64; // d
const DATA_ROW = 0x44; // D

export type ErrorFields = Record<string, string>;

/** Receives the rows of a COPY … TO STDOUT the proxy runs; chunkEnd may ask to pause the backend. */
export interface CopySink {
  row(body: Buffer): void;
  chunkEnd(): Promise<void> | undefined;
}

interface OwnHandler {
  frame(type: number, body: Buffer, raw: Buffer): void;
  chunkEnd?(): void;
  closed(): void;
}

/**
 * The client's backend connection. Relays the backend's messages to the client, keeping
 * track of what the proxy needs: transaction status (ReadyForQuery), session parameters,
 * the backend's cancel key, and the sync points still outstanding. While the proxy runs
 * statements of its own (`exchange`, `copyOut`, `relay`) the answers go to it instead.
 */
export class Backend {
  /** Transaction status of the last ReadyForQuery: I (idle), T (in a transaction), E (failed transaction). */
  status = 'I';
  readonly params = new Map<string, string>();
  /** An ErrorResponse reached the client since its last ReadyForQuery (the backend now skips to Sync). */
  clientErrorSinceSync = false;
  private pid?: number;
  private secret?: number;

  /** The backend process serving this session (from its BackendKeyData). */
  get processId(): number | undefined {
    return this.pid;
  }
  /** Who waits for each outstanding ReadyForQuery: the client, or the proxy (a Sync it injected). */
  private readonly syncOwners: ('client' | 'proxy')[] = ['client'];
  private idleWaiters: (() => void)[] = [];
  private own?: OwnHandler;
  private readonly toClient = new FrameBatch();
  private readonly socket: Socket;
  private closed = false;
  /** Until the session has looked up the database's own types, only bytea/jsonb/interval are mapped. */
  private redshiftOid: OidMapper = oidMapper({ geometry: [], geography: [] });

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly client: Socket,
    startupPacket: Buffer,
    onClose: () => void,
  ) {
    this.socket = connect(port, host, () => this.socket.write(startupPacket));
    this.socket.setNoDelay(true);
    this.socket.on(
      'data',
      frameReader(
        (type, body, raw) => this.onFrame(type, body, raw),
        () => this.onChunkEnd(),
      ),
    );
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.closed = true;
      this.own?.closed();
      for (const wake of this.idleWaiters.splice(0)) wake();
      onClose();
    });
  }

  /** Frames from the client, sent on; `syncPoints` counts the Query/Sync/FunctionCall messages among them. */
  send(bytes: Buffer, syncPoints: number): void {
    for (let i = 0; i < syncPoints; i++) this.syncOwners.push('client');
    this.socket.write(bytes);
  }

  /** Ends an extended-protocol batch the client left open, so the backend can be idle (its ReadyForQuery is not relayed). */
  injectSync(): void {
    this.syncOwners.push('proxy');
    this.socket.write(syncMessage());
  }

  /** Resolves once every sync point sent so far has been answered. */
  idle(): Promise<void> {
    if (this.syncOwners.length === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The client's database's own OIDs of the types standing for Redshift's, for RowDescriptions relayed from now on. */
  setBackingTypes(backing: BackingTypes): void {
    this.redshiftOid = oidMapper(backing);
  }

  /** The OID Redshift would report for a backing column type. */
  redshiftType(typeOid: number, typeModifier: number): number {
    return this.redshiftOid(typeOid, typeModifier);
  }

  /**
   * Sends the proxy's own messages and collects the answer up to ReadyForQuery: the error,
   * the RowDescription as the backend sent it (backing OIDs, which UNLOAD works with) and
   * the rows in text form.
   */
  exchange(messages: Buffer): Promise<{ error?: ErrorFields; rowDescription?: ColumnDescription[]; rows: (string | null)[][] }> {
    return new Promise((resolve) => {
      let error: ErrorFields | undefined;
      let rowDescription: ColumnDescription[] | undefined;
      const rows: (string | null)[][] = [];
      this.own = {
        frame: (type, body) => {
          if (type === ERROR_RESPONSE) error = parseFields(body);
          else if (type === ROW_DESCRIPTION) rowDescription = parseRowDescription(body);
          else if (type === DATA_ROW) rows.push(parseDataRow(body));
          else if (type === READY_FOR_QUERY) {
            this.own = undefined;
            resolve({ error, rowDescription, rows });
          }
        },
        closed: () => resolve({ error: connectionLost(), rows }),
      };
      if (this.closed) return this.own.closed();
      this.socket.write(messages);
    });
  }

  /**
   * Runs a COPY … TO STDOUT and streams its rows into `sink`. The backend socket is paused
   * while the sink applies back-pressure, so the backing PostgreSQL waits for S3.
   */
  copyOut(query: Buffer, sink: CopySink): Promise<{ error?: ErrorFields }> {
    return new Promise((resolve) => {
      let error: ErrorFields | undefined;
      this.own = {
        frame: (type, body, raw) => {
          if (type === COPY_DATA) sink.row(body);
          else if (type === ERROR_RESPONSE) error = parseFields(body);
          else if (type === NOTICE_RESPONSE) this.toClient.add(raw);
          else if (type === READY_FOR_QUERY) {
            this.own = undefined;
            resolve({ error });
          }
        },
        chunkEnd: () => {
          const wait = sink.chunkEnd();
          if (!wait) return;
          this.socket.pause();
          void wait.then(() => this.socket.resume());
        },
        closed: () => resolve({ error: connectionLost() }),
      };
      if (this.closed) return this.own.closed();
      this.socket.write(query);
    });
  }

  /** Runs one of the client's statements for it (in a multi-statement query around an UNLOAD): all but ReadyForQuery goes to the client. */
  relay(query: Buffer): Promise<{ failed: boolean }> {
    return new Promise((resolve) => {
      let failed = false;
      this.own = {
        frame: (type, body, raw) => {
          if (type === READY_FOR_QUERY) {
            this.own = undefined;
            resolve({ failed });
            return;
          }
          if (type === ERROR_RESPONSE) failed = true;
          if (type === ROW_DESCRIPTION) rewriteRowDescriptionOids(body, this.redshiftOid);
          this.toClient.add(raw);
        },
        closed: () => resolve({ failed: true }),
      };
      if (this.closed) return this.own.closed();
      this.socket.write(query);
    });
  }

  /** Cancels whatever the backend is running, with its own key (as a client's CancelRequest would). */
  cancel(): void {
    if (this.pid === undefined || this.secret === undefined) return;
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(CANCEL_REQUEST, 4);
    packet.writeInt32BE(this.pid, 8);
    packet.writeInt32BE(this.secret, 12);
    const socket = connect(this.port, this.host, () => socket.end(packet));
    socket.on('error', () => undefined);
  }

  private onFrame(type: number, body: Buffer, raw: Buffer): void {
    if (type === READY_FOR_QUERY) this.status = String.fromCharCode(body[0]);
    if (this.own) {
      // Asynchronous notifications belong to the client whatever the proxy is doing.
      if (type === NOTIFICATION) this.toClient.add(raw);
      // ParameterStatus here answers the proxy's own SETs, which it undoes: not the client's business.
      else if (type !== PARAMETER_STATUS) this.own.frame(type, body, raw);
      return;
    }
    switch (type) {
      case READY_FOR_QUERY: {
        if (this.syncOwners.shift() === 'proxy') break;
        this.clientErrorSinceSync = false;
        this.toClient.add(raw);
        break;
      }
      case ERROR_RESPONSE:
        this.clientErrorSinceSync = true;
        this.toClient.add(raw);
        break;
      case PARAMETER_STATUS: {
        const nameEnd = body.indexOf(0);
        this.params.set(body.toString('utf8', 0, nameEnd), body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1)));
        this.toClient.add(raw);
        break;
      }
      case ROW_DESCRIPTION:
        rewriteRowDescriptionOids(body, this.redshiftOid);
        this.toClient.add(raw);
        break;
      case BACKEND_KEY_DATA:
        this.pid = body.readInt32BE(0);
        this.secret = body.readInt32BE(4);
        this.toClient.add(raw);
        break;
      default:
        this.toClient.add(raw);
    }
  }

  private onChunkEnd(): void {
    const out = this.toClient.take();
    if (out) this.client.write(out);
    this.own?.chunkEnd?.();
    if (this.syncOwners.length === 0 && this.idleWaiters.length) {
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}

const connectionLost = (): ErrorFields => ({ S: 'FATAL', C: '08006', M: 'the backing PostgreSQL connection was lost' });
