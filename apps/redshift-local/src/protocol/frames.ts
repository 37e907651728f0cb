/**
 * PostgreSQL wire protocol framing: after startup, every message is a type byte and an
 * int32 length that counts itself. Frames are relayed as raw buffers; only the few the
 * proxy acts on are decoded.
 */

/**
 * Splits a byte stream into frames. `onFrame` gets each complete frame (its body and raw
 * bytes are views into the received chunk); `onChunkEnd` runs after the last frame of each
 * chunk, so callers can batch their writes. A frame split over many chunks is assembled
 * once (no quadratic re-concatenation).
 */
export function frameReader(onFrame: (type: number, body: Buffer, raw: Buffer) => void, onChunkEnd?: () => void): (chunk: Buffer) => void {
  let parts: Buffer[] = [];
  let have = 0;
  let need = 5;
  return (chunk) => {
    let buf = chunk;
    if (parts.length) {
      parts.push(chunk);
      have += chunk.length;
      if (have < need) return;
      buf = Buffer.concat(parts, have);
      parts = [];
      have = 0;
    }
    let offset = 0;
    while (buf.length - offset >= 5) {
      const length = buf.readInt32BE(offset + 1);
      if (buf.length - offset < 1 + length) break;
      const raw = buf.subarray(offset, offset + 1 + length);
      offset += 1 + length;
      onFrame(raw[0], raw.subarray(5), raw);
    }
    if (offset < buf.length) {
      const rest = buf.subarray(offset);
      parts = [rest];
      have = rest.length;
      need = rest.length >= 5 ? 1 + rest.readInt32BE(1) : 5;
    } else {
      need = 5;
    }
    onChunkEnd?.();
  };
}

/**
 * Collects raw frames to send on, merging neighbours that are adjacent in the same chunk,
 * so a relayed chunk usually leaves as one write.
 */
export class FrameBatch {
  private pieces: Buffer[] = [];

  add(raw: Buffer): void {
    const last = this.pieces[this.pieces.length - 1];
    if (last && last.buffer === raw.buffer && last.byteOffset + last.length === raw.byteOffset) {
      this.pieces[this.pieces.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + raw.length);
    } else {
      this.pieces.push(raw);
    }
  }

  /** The collected bytes: views into received chunks, which Node never reuses, so they may be written later. */
  take(): Buffer | undefined {
    if (this.pieces.length === 0) return undefined;
    const out = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
    this.pieces = [];
    return out;
  }
}

export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** The request code of a CancelRequest packet (the proxy both receives and sends them). */
export const CANCEL_REQUEST = 80877102;

export const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8');

export interface Notice {
  severity: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

function fields(n: Notice): Buffer {
  const parts = [cstring(`S${n.severity}`), cstring(`V${n.severity}`), cstring(`C${n.code}`), cstring(`M${n.message}`)];
  if (n.detail) parts.push(cstring(`D${n.detail}`));
  if (n.hint) parts.push(cstring(`H${n.hint}`));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

export const errorResponse = (n: Omit<Notice, 'severity'>) => message('E', fields({ severity: 'ERROR', ...n }));
export const noticeResponse = (n: Notice) => message('N', fields(n));
export const commandComplete = (tag: string) => message('C', cstring(tag));
export const readyForQuery = (status: string) => message('Z', Buffer.from(status, 'latin1'));
export const queryMessage = (sql: string) => message('Q', cstring(sql));
export const parseComplete = () => message('1');
export const bindComplete = () => message('2');
export const closeComplete = () => message('3');
export const noData = () => message('n');
export const syncMessage = () => message('S');
/** ParameterDescription for a statement without parameters. */
export const noParameters = () => message('t', Buffer.from([0, 0]));

/** The fields of an ErrorResponse or NoticeResponse body, keyed by their one-letter codes. */
export function parseFields(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const end = body.indexOf(0, i + 1);
    out[String.fromCharCode(body[i])] = body.toString('utf8', i + 1, end);
    i = end + 1;
  }
  return out;
}

/** An ErrorResponse/NoticeResponse from parsed fields, keeping every field given. */
export function fieldsMessage(type: 'E' | 'N', f: Record<string, string>): Buffer {
  const parts = Object.entries(f).map(([k, v]) => cstring(`${k}${v}`));
  parts.push(Buffer.from([0]));
  return message(type, Buffer.concat(parts));
}

export interface ColumnDescription {
  name: string;
  typeOid: number;
  typeModifier: number;
}

/** RowDescription: column names, type OIDs and type modifiers. */
export function parseRowDescription(body: Buffer): ColumnDescription[] {
  const count = body.readInt16BE(0);
  const columns: ColumnDescription[] = [];
  let i = 2;
  for (let c = 0; c < count; c++) {
    const end = body.indexOf(0, i);
    const name = body.toString('utf8', i, end);
    i = end + 1;
    const typeOid = body.readInt32BE(i + 6);
    const typeModifier = body.readInt32BE(i + 12);
    i += 18;
    columns.push({ name, typeOid, typeModifier });
  }
  return columns;
}

/** A DataRow's values in text form (null for SQL NULL). */
export function parseDataRow(body: Buffer): (string | null)[] {
  const count = body.readInt16BE(0);
  const values: (string | null)[] = [];
  let i = 2;
  for (let c = 0; c < count; c++) {
    const length = body.readInt32BE(i);
    i += 4;
    values.push(length < 0 ? null : body.toString('utf8', i, i + length));
    if (length > 0) i += length;
  }
  return values;
}

/** A Parse message's statement name, query text and the parameter-type bytes that follow. */
export function parseParse(body: Buffer): { name: string; sql: string; rest: Buffer } {
  const nameEnd = body.indexOf(0);
  const sqlEnd = body.indexOf(0, nameEnd + 1);
  return { name: body.toString('utf8', 0, nameEnd), sql: body.toString('utf8', nameEnd + 1, sqlEnd), rest: body.subarray(sqlEnd + 1) };
}

export function buildParse(name: string, sql: string, rest: Buffer): Buffer {
  return message('P', Buffer.concat([cstring(name), cstring(sql), rest]));
}

/** A Bind message's portal, statement and number of parameter values. */
export function parseBind(body: Buffer): { portal: string; statement: string; parameters: number } {
  const portalEnd = body.indexOf(0);
  const statementEnd = body.indexOf(0, portalEnd + 1);
  let i = statementEnd + 1;
  const formats = body.readInt16BE(i);
  i += 2 + formats * 2;
  return { portal: body.toString('utf8', 0, portalEnd), statement: body.toString('utf8', portalEnd + 1, statementEnd), parameters: body.readInt16BE(i) };
}

/** Describe / Close: 'S' (statement) or 'P' (portal) and the name. */
export function parseTarget(body: Buffer): { kind: string; name: string } {
  return { kind: String.fromCharCode(body[0]), name: body.toString('utf8', 1, body.indexOf(0, 1)) };
}

/** Execute: the portal name. */
export const parseExecute = (body: Buffer) => body.toString('utf8', 0, body.indexOf(0));

/**
 * Parse + Describe + Close + Sync of a statement of the proxy's own: learns a query's
 * columns without running it, and leaves the client's unnamed statement alone.
 */
export function describeMessages(sql: string): Buffer {
  const name = 'redshift_local_describe';
  const parse = message('P', Buffer.concat([cstring(name), cstring(sql), Buffer.from([0, 0])]));
  const describe = message('D', Buffer.concat([Buffer.from('S'), cstring(name)]));
  const close = message('C', Buffer.concat([Buffer.from('S'), cstring(name)]));
  return Buffer.concat([parse, describe, close, syncMessage()]);
}
