/**
 * PostgreSQL wire protocol framing: after startup, every message is a type byte and an
 * int32 length that counts itself. Frames are relayed as raw buffers; only the few the
 * proxy acts on are decoded.
 */
export function frameReader(onFrame: (type: number, body: Buffer, raw: Buffer) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let offset = 0;
    while (pending.length - offset >= 5) {
      const length = pending.readInt32BE(offset + 1);
      if (pending.length - offset < 1 + length) break;
      const raw = pending.subarray(offset, offset + 1 + length);
      offset += 1 + length;
      onFrame(raw[0], raw.subarray(5), raw);
    }
    pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
  };
}

export function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header[0] = type.charCodeAt(0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const cstring = (s: string) => Buffer.from(`${s}\0`, 'utf8');

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

/** RowDescription: column names, type OIDs and type modifiers. */
export function parseRowDescription(body: Buffer): { name: string; typeOid: number; typeModifier: number }[] {
  const count = body.readInt16BE(0);
  const columns: { name: string; typeOid: number; typeModifier: number }[] = [];
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

/** Parse + Describe + Sync for the unnamed statement: learns a query's columns without running it. */
export function describeMessages(sql: string): Buffer {
  const parse = message('P', Buffer.concat([cstring(''), cstring(sql), Buffer.from([0, 0])]));
  const describe = message('D', Buffer.concat([Buffer.from('S'), cstring('')]));
  return Buffer.concat([parse, describe, message('S', Buffer.alloc(0))]);
}
