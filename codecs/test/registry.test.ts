import { afterAll, describe, expect, it } from 'vitest';
import { createCodecRegistry, type CodecRegistry } from '../src/index.ts';
import { bytesOf } from './vectors.ts';

let reg: CodecRegistry;
afterAll(async () => reg?.close());

describe('codec registry: built-in models to the contract', () => {
  it('lists the built-in models with their kind', async () => {
    reg = await createCodecRegistry({});
    const df = reg.models().find((m) => m.id === 'dingtek-df703');
    expect(df).toEqual({ id: 'dingtek-df703', vendor: 'Dingtek', name: 'DF703', kind: 'bin', codec: 'builtin' });
    expect(reg.has('dingtek-df703')).toBe(true);
    expect(reg.has('nope')).toBe(false);
  });

  it('DF703: distance and the bin depth from the params give fill_pct; fall and battery flags give events', async () => {
    // the vendor's heartbeat with the fall and battery alarm nibbles set ([12] = 0x11)
    const r = await reg.decode('dingtek-df703', { fPort: 3, bytes: bytesOf('800001011107d000190000001100010081') }, { binDepthMm: 2500, sensorOffsetMm: 0 });
    expect(r.errors).toEqual([]);
    expect(r.messages).toEqual([
      { channel: 'telemetry', payload: { distance_mm: 2000, fill_pct: 20, temperature_c: 25, tilted: true } },
      { channel: 'event', payload: { event: 'tilted', fill_pct: 20, temperature_c: 25 } },
      { channel: 'event', payload: { event: 'low_battery' } },
    ]);
  });

  it('a parameter report decodes but makes no contract message', async () => {
    const r = await reg.decode('dingtek-df703', { fPort: 3, bytes: bytesOf('8000010319010418011e4b1e00000000000000000000000081') });
    expect(r.decoded).toMatchObject({ firmware: '1.4' });
    expect(r.messages).toEqual([]);
    expect(r.errors).toEqual([]);
  });

  it('wrong port or length is a coded refusal with the vendor decoder\'s reason', async () => {
    const port = await reg.decode('dingtek-df703', { fPort: 5, bytes: bytesOf('800001011107d000190000000000010081') });
    expect(port.errors).toEqual([{ code: 'HUB_ERR_CODEC_DECODE', message: 'the dingtek-df703 codec refused the frame: unknown FPort' }]);
    const len = await reg.decode('dingtek-df703', { fPort: 3, bytes: bytesOf('8000') });
    expect(len.errors[0]!.code).toBe('HUB_ERR_CODEC_DECODE');
    expect(len.messages).toEqual([]);
  });

  it('an unknown model is HUB_ERR_CODEC_UNKNOWN_MODEL', async () => {
    const r = await reg.decode('acme-x1', { fPort: 1, bytes: new Uint8Array([1]) });
    expect(r.errors[0]!.code).toBe('HUB_ERR_CODEC_UNKNOWN_MODEL');
    expect(reg.map('acme-x1', {}).errors[0]!.code).toBe('HUB_ERR_CODEC_UNKNOWN_MODEL');
  });

  it('map() takes an object already decoded by the network server (the vendor decoder\'s shape)', () => {
    const r = reg.map('dingtek-df703', { level: 500, alarmLevel: true, alarmFire: false, alarmFall: false, alarmBattery: false, angle: 0, temperature: 31, frameCounter: 9 }, { binDepthMm: 1000 });
    expect(r.messages).toEqual([{ channel: 'telemetry', payload: { distance_mm: 500, fill_pct: 50, temperature_c: 31, tilted: false } }]);
  });

  it('a decoded figure outside the contract is HUB_ERR_CODEC_MAPPING, not a bad row', () => {
    const r = reg.map('dingtek-df703', { level: 60000, temperature: 25, alarmFall: false });
    expect(r.messages).toEqual([]);
    expect(r.errors[0]!.code).toBe('HUB_ERR_CODEC_MAPPING');
    expect(r.errors[0]!.message).toMatch(/distance_mm/);
  });

  it('encoders make frames the decoders read back (for simulators)', async () => {
    const frame = reg.encode('dingtek-df703', { level: 1234, temperature: -5, alarmFall: true, frameCounter: 77 });
    const r = await reg.decode('dingtek-df703', frame);
    expect(r.decoded).toMatchObject({ level: 1234, temperature: -5, alarmFall: true, alarmFire: false, frameCounter: 77 });
  });
});
