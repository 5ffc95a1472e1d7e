import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword } from '../src/auth/index.ts';
import { api, login, testHub } from './support.ts';

type TestHub = Awaited<ReturnType<typeof testHub>>;

/** The device-model API (设备型号): list, upload a vendor decoder, decode a pasted frame. */
describe('device models API', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await testHub();
  });
  afterAll(async () => hub?.dispose());

  it('lists the built-in models', async () => {
    const r = await api(hub, 'GET', '/api/device-models');
    expect(r.status).toBe(200);
    const ids = r.body.models.map((m: { id: string }) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['dingtek-df703', 'dingtek-dc410', 'dingtek-dc413', 'milesight-em400-udl', 'milesight-em310-udl', 'milesight-gs524n', 'netvox-r718x', 'netvox-ra02a', 'netvox-r718eb']));
    expect(r.body.models.find((m: { id: string }) => m.id === 'milesight-gs524n')).toEqual({ id: 'milesight-gs524n', vendor: 'Milesight', name: 'GS524N', kind: 'smoke', codec: 'builtin' });
  });

  it('decodes a pasted frame (hex or base64): the codec\'s own output and our contract', async () => {
    const hex = await api(hub, 'POST', '/api/device-models/milesight-em400-udl/decode', { body: { fPort: 85, hex: '01 75 5C 03 67 01 01 04 82 44 08 05 00 01', params: { binDepthMm: 3000 } } });
    expect(hex.status).toBe(200);
    expect(hex.body.decoded).toEqual({ battery: 92, temperature: 25.7, distance: 2116, position: 'tilt' });
    expect(hex.body.reading[0]).toEqual({ channel: 'telemetry', payload: { distance_mm: 2116, fill_pct: 29.5, temperature_c: 25.7, tilted: true, battery_pct: 92 } });
    expect(hex.body.errors).toEqual([]);
    const b64 = await api(hub, 'POST', '/api/device-models/milesight-gs524n/decode', { body: { fPort: 1, base64: Buffer.from('221E64001C40', 'hex').toString('base64') } });
    expect(b64.body.decoded.event).toBe('testing alarm with normal battery');
    expect(b64.body.reading.map((m: { payload: { event?: string } }) => m.payload.event ?? 'telemetry')).toEqual(['telemetry', 'self_test']);
  });

  it('refuses a bad request with a coded error', async () => {
    const url = '/api/device-models/milesight-gs524n/decode';
    expect((await api(hub, 'POST', url, { body: { fPort: 1 } })).body.code).toBe('HUB_ERR_VALIDATION');
    expect((await api(hub, 'POST', url, { body: { fPort: 1, hex: '00', base64: 'AA==' } })).body.code).toBe('HUB_ERR_VALIDATION');
    expect((await api(hub, 'POST', url, { body: { fPort: 1, hex: 'zz' } })).body.code).toBe('HUB_ERR_VALIDATION');
    expect((await api(hub, 'POST', url, { body: { fPort: 300, hex: '00' } })).body.code).toBe('HUB_ERR_VALIDATION');
    const unknown = await api(hub, 'POST', '/api/device-models/acme-nothing/decode', { body: { fPort: 1, hex: '00' } });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'HUB_ERR_CODEC_UNKNOWN_MODEL' } });
    // a frame the codec refuses is an answer, not an HTTP error
    const wrong = await api(hub, 'POST', '/api/device-models/dingtek-df703/decode', { body: { fPort: 9, hex: '8000' } });
    expect(wrong.status).toBe(200);
    expect(wrong.body.errors).toEqual([{ code: 'HUB_ERR_CODEC_DECODE', message: 'the dingtek-df703 codec refused the frame: unknown FPort' }]);
  });

  it('only an admin uploads a codec or decodes; any session lists', async () => {
    const operator = await login(hub, 'operator', demoPassword('operator'));
    const body = { kind: 'bin', codec: { format: 'ttn-js', source: 'function decodeUplink(i) { return { data: {} }; }' } };
    expect((await api(hub, 'PUT', '/api/device-models/acme-x', { body, token: operator })).status).toBe(403);
    expect((await api(hub, 'POST', '/api/device-models/dingtek-df703/decode', { body: { fPort: 3, hex: '00' }, token: operator })).status).toBe(403);
    expect((await api(hub, 'GET', '/api/device-models', { token: operator })).status).toBe(200);
    expect((await api(hub, 'GET', '/api/device-models', { token: null })).status).toBe(401);
  });

  it('uploads a vendor decoder, decodes with it, and refuses one that does not compile', async () => {
    const source = 'function decodeUplink(input) { return { data: { distance: (input.bytes[0] << 8) | input.bytes[1], battery: input.bytes[2] }, warnings: [] }; }';
    const put = await api(hub, 'PUT', '/api/device-models/acme-ud1', { body: { kind: 'bin', vendor: 'Acme', name: 'UD-1', codec: { format: 'ttn-js', source } } });
    expect(put).toMatchObject({ status: 200, body: { model: { id: 'acme-ud1', vendor: 'Acme', name: 'UD-1', kind: 'bin', codec: 'ttn-js' } } });
    const r = await api(hub, 'POST', '/api/device-models/acme-ud1/decode', { body: { fPort: 2, hex: '01f450', params: { binDepthMm: 1000 } } });
    expect(r.body).toEqual({ decoded: { distance: 500, battery: 80 }, reading: [{ channel: 'telemetry', payload: { distance_mm: 500, battery_pct: 80, fill_pct: 50 } }], errors: [], warnings: [] });
    const bad = await api(hub, 'PUT', '/api/device-models/acme-ud2', { body: { kind: 'bin', codec: { format: 'ttn-js', source: 'function decodeUplink(' } } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'HUB_ERR_CODEC_INVALID' } });
  });

  it('a looping uploaded codec is stopped and the hub answers meanwhile', async () => {
    await api(hub, 'PUT', '/api/device-models/acme-loop', { body: { kind: 'smoke', codec: { format: 'ttn-js', source: 'function decodeUplink() { for (;;) {} }' } } });
    // three frames: at least 300 ms of decoder time in the sandbox's thread
    let decodedAll = false;
    const decoding = Promise.all([1, 2, 3].map(() => api(hub, 'POST', '/api/device-models/acme-loop/decode', { body: { fPort: 1, hex: '00' } }))).then((r) => {
      decodedAll = true;
      return r;
    });
    const health = await api(hub, 'GET', '/api/health', { token: null });
    expect(health.status).toBeLessThan(600);
    expect(decodedAll).toBe(false); // the hub answered while the decoder looped (the timing is bench:codecs')
    const results = await decoding;
    expect(results.map((r) => [r.status, r.body.errors[0].code])).toEqual([[200, 'HUB_ERR_CODEC_TIMEOUT'], [200, 'HUB_ERR_CODEC_TIMEOUT'], [200, 'HUB_ERR_CODEC_TIMEOUT']]);
  });

  it('counts decoded frames and the sandbox in /metrics', async () => {
    const res = await hub.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/hub_codec_frames_total\{codec="builtin",outcome="ok"\} [1-9]/);
    expect(res.body).toMatch(/hub_codec_frames_total\{codec="ttn-js",outcome="refused"\} [1-9]/);
    expect(res.body).toMatch(/hub_codec_suspended 1/); // acme-loop, stopped three times in a row
  });

  it('keeps uploaded codecs across a restart', async () => {
    const dataDir = hub.dataDir;
    await hub.close();
    hub = await testHub({ dataDir });
    const list = await api(hub, 'GET', '/api/device-models');
    expect(list.body.models.find((m: { id: string }) => m.id === 'acme-ud1')).toMatchObject({ codec: 'ttn-js', vendor: 'Acme' });
    const r = await api(hub, 'POST', '/api/device-models/acme-ud1/decode', { body: { fPort: 2, hex: '01f450' } });
    expect(r.body.decoded).toEqual({ distance: 500, battery: 80 });
  });
});
