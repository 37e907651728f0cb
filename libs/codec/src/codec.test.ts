import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, KEY_ID_METADATA } from './codec';
import { parseEncryptionKeys } from './keys';

const key = () => randomBytes(32).toString('base64');
const k1 = key();
const k2 = key();
const json = (value: unknown) => defaultPayloadConverter.toPayload(value) as Payload;
const value = (p: Payload) => defaultPayloadConverter.fromPayload(p);
const secret = { source: { connection: 'redshift', table: 'public.payroll' }, query: "select * from payroll where name = 'Ada'" };

describe('AesGcmCodec', () => {
  it('round trip: the stored payload holds no plaintext, only the key id', async () => {
    const codec = new AesGcmCodec(parseEncryptionKeys(`k1:${k1}`));
    const [encrypted] = await codec.encode([json(secret)]);
    expect(Buffer.from(encrypted.data!).toString('latin1')).not.toMatch(/payroll|Ada|json/);
    expect(Object.fromEntries(Object.entries(encrypted.metadata!).map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({
      encoding: 'binary/encrypted',
      [KEY_ID_METADATA]: 'k1',
    });
    const [decrypted] = await codec.decode([encrypted]);
    expect(value(decrypted)).toEqual(secret);
  });

  it('each encryption is different (a fresh IV per payload)', async () => {
    const codec = new AesGcmCodec(parseEncryptionKeys(`k1:${k1}`));
    const [a, b] = await codec.encode([json('same'), json('same')]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('rotation: a new first key encrypts; the old one still decrypts what it encrypted', async () => {
    const old = new AesGcmCodec(parseEncryptionKeys(`k1:${k1}`));
    const rotated = new AesGcmCodec(parseEncryptionKeys(`k2:${k2},k1:${k1}`));
    const [before] = await old.encode([json('written before rotation')]);
    const [after] = await rotated.encode([json('written after')]);
    expect(Buffer.from(after.metadata![KEY_ID_METADATA]).toString()).toBe('k2');
    expect((await rotated.decode([before, after])).map(value)).toEqual(['written before rotation', 'written after']);
  });

  it('plain payloads pass through decode (histories from before encryption)', async () => {
    const codec = new AesGcmCodec(parseEncryptionKeys(`k1:${k1}`));
    expect(value((await codec.decode([json({ a: 1 })]))[0])).toEqual({ a: 1 });
  });

  it('tampering fails: a flipped bit, or a payload relabelled with another key id', async () => {
    const codec = new AesGcmCodec(parseEncryptionKeys(`k1:${k1},k2:${k2}`));
    const [p] = await codec.encode([json(secret)]);
    const flipped = Buffer.from(p.data!);
    flipped[20] ^= 1;
    await expect(codec.decode([{ ...p, data: flipped }])).rejects.toThrow('an encrypted payload failed authentication with key "k1": it was altered');
    const relabelled = { ...p, metadata: { ...p.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/failed authentication with key "k2"/);
  });

  it('an unknown key id fails clearly', async () => {
    const [p] = await new AesGcmCodec(parseEncryptionKeys(`retired:${k1}`)).encode([json('x')]);
    await expect(new AesGcmCodec(parseEncryptionKeys(`k2:${k2}`)).decode([p])).rejects.toThrow(
      'a payload is encrypted with key id "retired", which FERRY_ENCRYPTION_KEYS does not hold (it holds k2): add that key to decrypt it',
    );
  });
});

describe('parseEncryptionKeys: a malformed FERRY_ENCRYPTION_KEYS names the setting, never the key', () => {
  const bad: [string, string | RegExp][] = [
    ['', 'FERRY_ENCRYPTION_KEYS is set but empty'],
    [k1, 'FERRY_ENCRYPTION_KEYS entry 1 is not id:base64key (no ":")'],
    [`k1:${k1},k1:${k2}`, 'FERRY_ENCRYPTION_KEYS entry 2: key id "k1" appears twice'],
    [`k1:${k1},bad id:${k2}`, 'FERRY_ENCRYPTION_KEYS entry 2: the key id must be'],
    [`k1:not base64!`, 'FERRY_ENCRYPTION_KEYS entry 1 (key "k1"): the key is not base64'],
    [`k1:${randomBytes(16).toString('base64')}`, /entry 1 \(key "k1"\) is 16 bytes; AES-256 needs 32: generate one with `openssl rand -base64 32`/],
  ];
  it.each(bad)('%j', (value, message) => {
    let thrown: Error | undefined;
    try {
      parseEncryptionKeys(value);
    } catch (err) {
      thrown = err as Error;
    }
    expect(thrown?.message).toMatch(message);
    for (const part of value.split(/[,:]/).filter((s) => s.length > 8)) expect(thrown!.message).not.toContain(part);
  });

  it('accepts several keys, the first one current', () => {
    const ring = parseEncryptionKeys(` k2:${k2} , k1:${k1}`);
    expect(ring.current.id).toBe('k2');
    expect([...ring.byId.keys()]).toEqual(['k2', 'k1']);
  });
});
