import { AesGcmCodec, createCodecServer, KEYS_VARIABLE, parseEncryptionKeys } from '@ferry/codec';

export interface CodecServerOptions {
  port: number;
  host: string;
  origin: string[];
}

export const TOKEN_VARIABLE = 'FERRY_CODEC_SERVER_TOKEN';

/**
 * `ferry codec-server --port N`: decrypts payloads for the Temporal Web UI and the `temporal`
 * CLI with the worker's FERRY_ENCRYPTION_KEYS. The token comes from the environment, not a
 * flag, so it never shows in `ps`. Runs until SIGINT/SIGTERM.
 */
export async function codecServer(options: CodecServerOptions, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const keys = env[KEYS_VARIABLE];
  if (keys === undefined) throw new Error(`codec-server needs ${KEYS_VARIABLE}, the keys the worker encrypts with`);
  const ring = parseEncryptionKeys(keys);
  const token = env[TOKEN_VARIABLE] || undefined;
  const server = createCodecServer({ codec: new AesGcmCodec(ring), origins: options.origin, token });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.host, resolve));
  console.log(
    `ferry codec-server: http://${options.host}:${options.port} (keys ${[...ring.byId.keys()].join(', ')}; origins ${options.origin.join(', ')}; ` +
      `${token ? `bearer token from ${TOKEN_VARIABLE}` : `no token: anyone who can reach it can decrypt (set ${TOKEN_VARIABLE})`})`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop).once('SIGTERM', stop);
  });
}
