import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface TemporalProxyOptions {
  /** The dev server's plaintext gRPC address, host:port. */
  upstream: string;
  /** The proxy's server certificate and key (PEM files). */
  cert: string;
  key: string;
  /** When set, clients must present a certificate this CA signed (mTLS). */
  clientCa?: string;
  /** When set, every call needs `authorization: Bearer <apiKey>`, as Temporal Cloud checks it. */
  apiKey?: string;
}

export interface TemporalProxy {
  address: string;
  /** Calls refused for a missing or wrong API key. */
  refusedCalls(): number;
  close(): Promise<void>;
}

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_AUTHORITY, HTTP2_HEADER_SCHEME, NGHTTP2_CANCEL } = http2.constants;

/**
 * A TLS-terminating gRPC proxy in front of the local dev server, standing in for Temporal
 * Cloud or a secured cluster (the pinned dev server has no TLS of its own). gRPC is HTTP/2,
 * so it proxies per stream, at the HTTP/2 level: ALPN h2, headers, body, and the trailers
 * that carry grpc-status; that is also where it sees the `authorization` header of an API key.
 * A wrong client certificate fails the TLS handshake, as on a real server.
 */
export async function startTemporalProxy(options: TemporalProxyOptions): Promise<TemporalProxy> {
  let refused = 0;
  const server = http2.createSecureServer({
    cert: readFileSync(options.cert),
    key: readFileSync(options.key),
    ca: options.clientCa ? readFileSync(options.clientCa) : undefined,
    requestCert: !!options.clientCa,
    rejectUnauthorized: !!options.clientCa,
    ALPNProtocols: ['h2'],
  });
  const sessions = new Set<{ destroy(): void }>();
  server.on('session', (session) => {
    sessions.add(session);
    // One upstream connection per client connection, closed with it.
    const upstream = http2.connect(`http://${options.upstream}`);
    upstream.on('error', () => session.destroy());
    sessions.add(upstream);
    session.on('close', () => {
      sessions.delete(session);
      sessions.delete(upstream);
      upstream.close();
    });
    session.on('error', () => upstream.destroy());
    session.on('stream', (stream, headers) => {
      if (options.apiKey !== undefined && headers.authorization !== `Bearer ${options.apiKey}`) {
        refused++;
        return grpcError(stream, 16, 'ferry test proxy - missing or invalid API key');
      }
      forward(upstream, stream, headers);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    refusedCalls: () => refused,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Open sessions (a worker's long polls) would keep close() waiting.
        for (const s of sessions) s.destroy();
      }),
  };
}

function forward(upstream: ClientHttp2Session, stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
  const { [HTTP2_HEADER_AUTHORITY]: _a, [HTTP2_HEADER_SCHEME]: _s, ...rest } = headers;
  const req = upstream.request({ ...rest, [HTTP2_HEADER_METHOD]: headers[HTTP2_HEADER_METHOD], [HTTP2_HEADER_PATH]: headers[HTTP2_HEADER_PATH] });
  let trailers: IncomingHttpHeaders = {};
  req.on('response', (response) => {
    if (stream.destroyed) return;
    // A trailers-only response (an immediate error) ends with its headers.
    if (response['grpc-status'] !== undefined) return stream.respond(clean(response), { endStream: true });
    stream.respond(clean(response), { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(clean(trailers)));
    req.pipe(stream);
  });
  req.on('trailers', (t) => (trailers = t));
  req.on('error', () => stream.destroyed || stream.close(NGHTTP2_CANCEL));
  stream.pipe(req);
  stream.on('close', () => req.destroyed || req.close(NGHTTP2_CANCEL));
  stream.on('error', () => undefined);
}

function grpcError(stream: ServerHttp2Stream, status: number, message: string): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': message }, { endStream: true });
}

/** Response headers without the pseudo-headers node adds on its own. */
function clean(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(headers).filter(([k, v]) => v !== undefined && (k === ':status' || !k.startsWith(':')))) as Record<
    string,
    string | string[]
  >;
}
