import { i8 } from '../bytes.ts';
import { event, num, telemetry } from '../mapping.ts';
import type { BuiltinModel, ContractMessage } from '../types.ts';

/**
 * Milesight GS524N: LoRaWAN smoke alarm (烟感). Six bytes, any fPort: [0] firmware version (high
 * nibble) and protocol version (low) · [1] sensor type (high; 1 = smoke) and message type (low) ·
 * [2] battery % · [3] smoke concentration % · [4] temperature °C (signed) · [5] check byte (all six
 * sum to 0 mod 256). From Milesight-IoT/SensorDecoders gs-series/gs524n/README.md.
 */
const MESSAGE_TYPES: Record<number, string> = {
  0x01: 'alarm',
  0x02: 'silent',
  0x04: 'low battery',
  0x05: 'failover',
  0x07: 'normal',
  0x0a: 'removed',
  0x0b: 'installed',
  0x0e: 'testing alarm with normal battery',
  0x0f: 'testing alarm with low battery',
};

/** The vendor's message types as contract smoke events (GB 20517 vocabulary). */
const CONTRACT_EVENTS: Record<string, string[]> = {
  alarm: ['alarm'],
  silent: ['silenced'],
  'low battery': ['low_battery'],
  failover: ['fault'],
  removed: ['tamper'],
  installed: ['tamper_cleared'],
  'testing alarm with normal battery': ['self_test'],
  'testing alarm with low battery': ['self_test', 'low_battery'],
  normal: [],
};

export const gs524n: BuiltinModel = {
  id: 'milesight-gs524n',
  vendor: 'Milesight',
  name: 'GS524N',
  kind: 'smoke',
  source: 'Milesight-IoT/SensorDecoders gs-series/gs524n/README.md',
  decode(frame) {
    const b = frame.bytes;
    // the vendor's decoder answers an empty object for any other length
    if (b.length !== 6) return { data: {}, warnings: ['not a 6-byte GS524N frame'] };
    const data: Record<string, unknown> = {
      version: b[0]! >>> 4,
      protocol: b[0]! & 0x0f,
      type: b[1]! >>> 4 === 1 ? 'smoke sensor' : 'unknown',
    };
    const kind = MESSAGE_TYPES[b[1]! & 0x0f];
    if (kind !== undefined) data.event = kind;
    data.battery = b[2]!;
    data.concentration = b[3]!;
    data.temperature = i8(b[4]!);
    const sum = b.reduce((s, x) => (s + x) & 0xff, 0);
    return sum === 0 ? { data } : { data, warnings: ['check byte does not match'] };
  },
  map(decoded) {
    const battery = num(decoded.battery);
    const obscuration = num(decoded.concentration);
    const temperature = num(decoded.temperature);
    if (temperature === undefined) return { messages: [], warnings: ['no reading in this frame'] };
    const values = { obscuration_pct: obscuration, temperature_c: temperature, battery_pct: battery };
    const messages: ContractMessage[] = [telemetry(values)];
    const kind = typeof decoded.event === 'string' ? decoded.event : '';
    const events = CONTRACT_EVENTS[kind];
    for (const e of events ?? []) messages.push(event(e, values));
    return { messages, warnings: events ? [] : [`message type "${kind.slice(0, 40)}" has no contract event`] };
  },
  encode(d) {
    const type = Number(Object.entries(MESSAGE_TYPES).find(([, v]) => v === d.event)?.[0] ?? 0x07);
    const b = new Uint8Array(6);
    b[0] = 0x22;
    b[1] = 0x10 | type;
    b[2] = num(d.battery) ?? 100;
    b[3] = num(d.concentration) ?? 0;
    b[4] = (num(d.temperature) ?? 20) & 0xff;
    b[5] = (0x100 - (b[0] + b[1] + b[2] + b[3] + b[4]) % 0x100) & 0xff;
    return { fPort: 1, bytes: b };
  },
};
