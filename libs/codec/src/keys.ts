/** One AES-256 key of FERRY_ENCRYPTION_KEYS. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** The first key encrypts; every key decrypts, so a new key goes first and old ones stay until their histories expire. */
export interface KeyRing {
  current: EncryptionKey;
  byId: Map<string, EncryptionKey>;
}

export const KEYS_VARIABLE = 'FERRY_ENCRYPTION_KEYS';
const ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses `id:base64key,id:base64key…`. Messages name the setting and the key's id or place,
 * never its value: they end up in logs.
 */
export function parseEncryptionKeys(value: string, setting = KEYS_VARIABLE): KeyRing {
  if (!value.trim()) throw new Error(`${setting} is set but empty: unset it to run without payload encryption, or give id:base64key[,id:base64key…]`);
  const byId = new Map<string, EncryptionKey>();
  const keys = value.split(',').map((entry, i) => {
    const where = `${setting} entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${where} is not id:base64key (no ":")`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!ID.test(id)) throw new Error(`${where}: the key id must be 1-64 letters, digits, ".", "_" or "-"`);
    if (byId.has(id)) throw new Error(`${where}: key id "${id}" appears twice`);
    if (!BASE64.test(encoded) || encoded.length % 4 !== 0) throw new Error(`${where} (key "${id}"): the key is not base64`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new Error(`${where} (key "${id}") is ${key.length} bytes; AES-256 needs 32: generate one with \`openssl rand -base64 32\``);
    const k = { id, key };
    byId.set(id, k);
    return k;
  });
  return { current: keys[0], byId };
}
