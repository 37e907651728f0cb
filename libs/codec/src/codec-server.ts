import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call it (the Web UI's), e.g. http://127.0.0.1:8233. */
  origins: string[];
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string;
}

/** A payload as Temporal's codec-server protocol carries it: protobuf JSON, bytes in base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const MAX_BODY = 64 * 1024 * 1024;

/**
 * Temporal's remote codec protocol (POST /encode and /decode with `{"payloads": […]}`), so
 * the Web UI and `temporal … --codec-endpoint` show decrypted payloads to whoever can reach
 * this server. Whoever can reach it can decrypt: bind it to a private address, set a token,
 * and allow only the UI's origin.
 */
export function createCodecServer(options: CodecServerOptions): Server {
  const token = options.token ? Buffer.from(`Bearer ${options.token}`) : undefined;
  return createServer((req, res) => {
    const origin = req.headers.origin;
    if (origin && options.origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization');
    }
    res.setHeader('Vary', 'Origin');
    // Preflights carry no credentials by design; only the actual request is checked.
    if (req.method === 'OPTIONS') return void res.writeHead(204).end();
    const route = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if (req.method !== 'POST' || (route !== '/encode' && route !== '/decode')) return reply(res, 404, { message: 'POST /encode or /decode' });
    if (token && !sameSecret(req.headers.authorization, token)) return reply(res, 401, { message: 'missing or wrong bearer token' });
    handle(req, route === '/encode' ? (p) => options.codec.encode(p) : (p) => options.codec.decode(p))
      .then((payloads) => reply(res, 200, { payloads }))
      .catch((err: Error) => reply(res, 400, { message: err.message }));
  });
}

async function handle(req: IncomingMessage, apply: (payloads: Payload[]) => Promise<Payload[]>): Promise<JsonPayload[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { payloads?: JsonPayload[] };
  if (!Array.isArray(body.payloads)) throw new Error('the body must be {"payloads": [...]}');
  return (await apply(body.payloads.map(fromJson))).map(toJson);
}

function fromJson(p: JsonPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { metadata, data: Buffer.from(p.data ?? []).toString('base64') };
}

function sameSecret(given: string | undefined, expected: Buffer): boolean {
  const g = Buffer.from(given ?? '');
  return g.length === expected.length && timingSafeEqual(g, expected);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
