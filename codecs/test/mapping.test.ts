import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_MODELS, createCodecRegistry, type CodecRegistry, type ContractMessage, type DeviceParams } from '../src/index.ts';
import { bytesOf } from './vectors.ts';

/**
 * From a vendor frame to contract messages, per built-in model: units, the site's params (bin depth,
 * well depth, tilt threshold), alarm flags as events. Frames are the vendors' examples or those
 * examples with one flag changed (named in each case).
 */
let reg: CodecRegistry;
beforeAll(async () => {
  reg = await createCodecRegistry({});
});
afterAll(async () => reg.close());

const t = (payload: Record<string, unknown>): ContractMessage => ({ channel: 'telemetry', payload });
const e = (payload: Record<string, unknown>): ContractMessage => ({ channel: 'event', payload });

const CASES: [string, string, number, string, DeviceParams, ContractMessage[]][] = [
  ['DF703 heartbeat, 2.5 m bin', 'dingtek-df703', 3, '800001011107d000190000000000010081', { binDepthMm: 2500 },
    [t({ distance_mm: 2000, fill_pct: 20, temperature_c: 25, tilted: false })]],
  ['DF703 with GPS, no depth configured: distance only', 'dingtek-df703', 3, '800001011907d001cd03e942ef272042190000000000010081', {},
    [t({ distance_mm: 2000, temperature_c: 25, tilted: false })]],
  ['DC410 heartbeat, well 2.5 m deep: 80 cm of water', 'dingtek-dc410', 3, '800001021106a4001601000000000100' + '81', { wellDepthMm: 2500 },
    [t({ tilt_deg: 0, water_level_cm: 80 })]],
  ['DC410 with the full (water) and motion nibbles set ([11]=0x10, [12]=0x10), cover at 25°', 'dingtek-dc410', 3, '800001021106a40016011910100001' + '0081', { wellDepthMm: 2500 },
    [t({ tilt_deg: 25, water_level_cm: 80 }), e({ event: 'tilted', tilt_deg: 25 }), e({ event: 'water_high', water_level_cm: 80 })]],
  ['DC413 heartbeat with the battery nibble set ([12]=0x01)', 'dingtek-dc413', 3, '800001021106a40016010000010001' + '0081', {},
    [t({ tilt_deg: 0 }), e({ event: 'low_battery' })]],
  ['EM400-UDL, tilted, 3 m bin', 'milesight-em400-udl', 85, '01755c0367010104824408050001', { binDepthMm: 3000, sensorOffsetMm: 100 },
    [t({ distance_mm: 2116, fill_pct: 32.8, temperature_c: 25.7, tilted: true, battery_pct: 92 }), e({ event: 'tilted', fill_pct: 32.8, temperature_c: 25.7, battery_pct: 92 })]],
  ['EM310-UDL, normal position ([last]=0x00)', 'milesight-em310-udl', 85, '01755c03824408040000', { binDepthMm: 4000 },
    [t({ distance_mm: 2116, fill_pct: 47.1, tilted: false, battery_pct: 92 })]],
  ['R718X status: the device\'s own fill level without a depth', 'netvox-r718x', 6, '013401240101 2c0107320a'.replace(/ /g, ''), {},
    [t({ distance_mm: 300, fill_pct: 50, temperature_c: 26.3, battery_v: 3.6 })]],
  ['R718X status with a 10° tilt threshold and low battery ([3]=0xa4)', 'netvox-r718x', 6, '0134' + '01a40101 2c0107320a'.replace(/ /g, ''), { tiltAlarmDeg: 10, binDepthMm: 1000 },
    [t({ distance_mm: 300, fill_pct: 70, temperature_c: 26.3, tilted: true, battery_v: 3.6 }), e({ event: 'tilted', fill_pct: 70, temperature_c: 26.3 }), e({ event: 'low_battery' })]],
  ['RA02A status: fire and heat alarm', 'netvox-ra02a', 6, '010a011e010104b0000000', {},
    [t({ temperature_c: 120, battery_v: 3 }), e({ event: 'alarm', temperature_c: 120 })]],
  ['RA02A status, quiet ([4]=[5]=0, 21.5 °C)', 'netvox-ra02a', 6, '010a011e0000' + '00d7000000', {},
    [t({ temperature_c: 21.5, battery_v: 3 })]],
  ['R718EB status: tilt is the larger of X and Y', 'netvox-r718eb', 6, '01c8012400ce00a6ffa600', {},
    [t({ tilt_deg: 20.6, battery_v: 3.6 })]],
  ['GS524N self test', 'milesight-gs524n', 1, '221e64001c40', {},
    [t({ obscuration_pct: 0, temperature_c: 28, battery_pct: 100 }), e({ event: 'self_test', obscuration_pct: 0, temperature_c: 28, battery_pct: 100 })]],
  ['GS524N fire alarm (type 1, check byte fixed)', 'milesight-gs524n', 1, '221164' + '0f1c' + (0x100 - ((0x22 + 0x11 + 0x64 + 0x0f + 0x1c) % 0x100)).toString(16).padStart(2, '0'), {},
    [t({ obscuration_pct: 15, temperature_c: 28, battery_pct: 100 }), e({ event: 'alarm', obscuration_pct: 15, temperature_c: 28, battery_pct: 100 })]],
];

describe('vendor frames to the contract', () => {
  it.each(CASES)('%s', async (_name, model, fPort, hex, params, expected) => {
    const r = await reg.decode(model, { fPort, bytes: bytesOf(hex) }, params);
    expect(r.errors).toEqual([]);
    expect(r.messages).toEqual(expected);
  });

  it('version reports and configuration replies decode but make no contract message', async () => {
    for (const [model, hex] of [['netvox-r718x', '01340064012020081100 00'], ['netvox-r718eb', '81c80000000000000000 00']] as const) {
      const r = await reg.decode(model, { fPort: hex.startsWith('81') ? 7 : 6, bytes: bytesOf(hex.replace(/ /g, '')) });
      expect(r.decoded).not.toBeNull();
      expect(r.messages).toEqual([]);
      expect(r.errors).toEqual([]);
    }
  });

  it('covers every kind with a codec: bins, smoke alarms, manhole covers', () => {
    const kinds = new Set(BUILTIN_MODELS.map((m) => m.kind));
    expect([...kinds].sort()).toEqual(['bin', 'manhole', 'smoke']);
    expect(BUILTIN_MODELS.length).toBeGreaterThanOrEqual(8);
  });

  it('every built-in model has an encoder whose frames decode back to contract messages', async () => {
    const samples: Record<string, Record<string, unknown>> = {
      'dingtek-df703': { level: 800, temperature: 30, alarmFall: true },
      // Dingtek's decoders report the angle negative (the magnitude is what the frame carries)
      'dingtek-dc410': { level: '1200 mm', angle: '-30 °', motion: true },
      'dingtek-dc413': { level: 900, angle: -12, alarmLevel: true },
      'milesight-em400-udl': { battery: 80, temperature: -3.5, distance: 1500, position: 'normal' },
      'milesight-em310-udl': { battery: 55, distance: 700, position: 'tilt' },
      'milesight-gs524n': { event: 'alarm', battery: 90, concentration: 12, temperature: 45 },
      'netvox-r718x': { Volt: 3.5, Distance: 420, Temp: -2.5, FillLevel: 61, AngleOfInclination: 3 },
      'netvox-ra02a': { Volt: '2.7(low battery)', FireAlarm: 'Alarm', HighTempAlarm: 'No Alarm', Temp: 64.5 },
      'netvox-r718eb': { Volt: 3.6, AngleX: -12.5, AngleY: 4, AngleZ: 80 },
    };
    for (const m of BUILTIN_MODELS) {
      const sample = samples[m.id]!;
      const r = await reg.decode(m.id, reg.encode(m.id, sample), { wellDepthMm: 2000, binDepthMm: 2000 });
      expect(r.errors, m.id).toEqual([]);
      expect(r.decoded, m.id).toMatchObject(sample);
      expect(r.messages.length, m.id).toBeGreaterThan(0);
    }
  });
});
