import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { handleClient } from './session';
import { startDataApi } from './data-api/server';

export interface RedshiftLocalOptions {
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  backendHost?: string;
  backendPort?: number;
  /** How many slices UNLOAD spreads rows over with PARALLEL ON (a 2-node dc2.large cluster has 4). */
  slices?: number;
  /**
   * Test-only, not Redshift's behaviour: end each part after this many bytes instead of at
   * MAXFILESIZE (at least 5 MB on Redshift), so a small table unloads into thousands of parts.
   */
  testPartBytes?: number;
  log?: (line: string) => void;
  /** PEM files of the certificate and key clients' TLS is served with (Redshift takes TLS connections; AWS "Configuring security options for connections"). */
  tls?: { certFile: string; keyFile: string };
  /** Refuse clients that do not ask for TLS, as a cluster with require_ssl does. */
  requireTls?: boolean;
  /** The IAM roles associated with the cluster: an UNLOAD naming another is refused. Unset: any role. */
  iamRoles?: string[];
  /** Serve the Redshift Data API on this port too (0: a free one); its statements run on the wire port. */
  dataApiPort?: number;
  /** The login of Data API statements that give SecretArn (redshift-local cannot read the secret). */
  dataApiUser?: string;
}

/** Starts redshift-local: a PostgreSQL-protocol proxy that executes UNLOAD like Redshift, and optionally the Data API in front of it. */
export async function startRedshiftLocal(options: RedshiftLocalOptions = {}): Promise<{ port: number; dataApiPort?: number; close(): Promise<void> }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`redshift-local: ${line}\n`));
  const sessionOptions = {
    backendHost: options.backendHost ?? '127.0.0.1',
    backendPort: options.backendPort ?? 5432,
    slices: options.slices ?? 4,
    ...(options.testPartBytes && { testPartBytes: options.testPartBytes }),
    log,
    tls: options.tls && createSecureContext({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }),
    requireTls: options.requireTls ?? false,
    ...(options.iamRoles && { iamRoles: options.iamRoles }),
  };
  const server: Server = createServer((socket) => handleClient(socket, sessionOptions));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5439, options.host ?? '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const dataApi =
    options.dataApiPort === undefined
      ? undefined
      : await startDataApi({ host, port: options.dataApiPort, wire: { host, port, defaultUser: options.dataApiUser ?? 'postgres' } });
  return {
    port,
    ...(dataApi && { dataApiPort: dataApi.port }),
    close: async () => {
      await dataApi?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
