import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec } from './codec';
import { createCodecServer } from './codec-server';
import { parseEncryptionKeys } from './keys';

const codec = new AesGcmCodec(parseEncryptionKeys(`k1:${randomBytes(32).toString('base64')}`));
const UI = 'http://127.0.0.1:8233';
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data!).toString('base64'),
});

describe('codec server', () => {
  const server = createCodecServer({ codec, origins: [UI], token: 'tok' });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer tok' }) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: UI, ...headers }, body: JSON.stringify(body) });

  it('decodes what the codec encoded (the Web UI protocol)', async () => {
    const [encrypted] = await codec.encode([defaultPayloadConverter.toPayload({ table: 'public.payroll' })!]);
    const res = await post('/decode', { payloads: [toJson(encrypted)] });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(UI);
    const { payloads } = (await res.json()) as { payloads: { data: string }[] };
    expect(JSON.parse(Buffer.from(payloads[0].data, 'base64').toString())).toEqual({ table: 'public.payroll' });
  });

  it('answers the preflight for the UI origin only', async () => {
    const ok = await fetch(`${url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);
    const other = await fetch(`${url}/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a missing or wrong bearer token', async () => {
    expect((await post('/decode', { payloads: [] }, {})).status).toBe(401);
    expect((await post('/decode', { payloads: [] }, { authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('says why it cannot decode (unknown key id)', async () => {
    const [foreign] = await new AesGcmCodec(parseEncryptionKeys(`other:${randomBytes(32).toString('base64')}`)).encode([defaultPayloadConverter.toPayload(1)!]);
    const res = await post('/decode', { payloads: [toJson(foreign)] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/key id "other"/);
  });
});
