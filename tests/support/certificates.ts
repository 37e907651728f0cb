import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const openssl = (...args: string[]) => promisify(execFile)('openssl', args);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const CA_EXT = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];

/** PEM file paths. */
export interface CertPair {
  cert: string;
  key: string;
}

/**
 * A throwaway PKI made with openssl at test time (no private key is ever committed): a CA,
 * a server certificate it signs for `serverName`, a client certificate it signs, and a
 * client certificate signed by an unrelated CA (the "wrong certificate").
 */
export interface TestPki {
  dir: string;
  ca: CertPair;
  server: CertPair;
  client: CertPair;
  /** A CA that signed nothing but rogueClient: the wrong one to trust. */
  rogueCa: CertPair;
  rogueClient: CertPair;
}

export async function makeTestPki(serverName: string): Promise<TestPki> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-pki-'));
  const file = (name: string) => path.join(dir, name);
  const ca = async (name: string, cn: string): Promise<CertPair> => {
    await openssl('req', '-x509', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '2', '-subj', `/CN=${cn}`, ...CA_EXT);
    return { cert: file(`${name}.crt`), key: file(`${name}.key`) };
  };
  const signed = async (name: string, by: CertPair, cn: string, ext: string): Promise<CertPair> => {
    await openssl('req', ...EC, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${cn}`);
    writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n${ext}\n`);
    await openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      by.cert,
      '-CAkey',
      by.key,
      '-CAcreateserial',
      '-out',
      file(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
    );
    return { cert: file(`${name}.crt`), key: file(`${name}.key`) };
  };
  const root = await ca('ca', 'ferry test CA');
  const rogue = await ca('rogue-ca', 'some other CA');
  return {
    dir,
    ca: root,
    server: await signed('server', root, serverName, `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth`),
    client: await signed('client', root, 'ferry-worker', 'extendedKeyUsage=clientAuth'),
    rogueCa: rogue,
    rogueClient: await signed('rogue-client', rogue, 'ferry-worker', 'extendedKeyUsage=clientAuth'),
  };
}
