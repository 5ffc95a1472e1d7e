import { HubError, type HubErrorCode, type MessageKind } from '@gridhub/core';
import { FIELD_PARAMS, DeviceBehaviour } from '../models/index.ts';
import type { Body } from '../models/types.ts';
import { firstOfKind, timeline, type Scenario, type TimelineStep } from '../timeline.ts';

interface Bad {
  what: string;
  message: MessageKind;
  expect: HubErrorCode;
  payload: Uint8Array;
}

const text = (s: string) => new TextEncoder().encode(s);
const json = (v: unknown) => text(JSON.stringify(v));

/** Every way a buggy firmware has been seen to get it wrong, each with the refusal it must earn. */
export function malformedPayloads(valid: Body, tsMs: number, seq0: number): Bad[] {
  const numeric = Object.keys(valid).find((k) => typeof valid[k] === 'number');
  if (!numeric) throw new HubError('HUB_ERR_INTERNAL');
  const good = { ...valid, ts: tsMs, seq: seq0 };
  const deep: Record<string, unknown> = {};
  let cur = deep;
  for (let i = 0; i < 400; i++) {
    const next: Record<string, unknown> = {};
    cur.a = next;
    cur = next;
  }
  const { ts: _ts, ...noTs } = good;
  const badUtf8 = new Uint8Array([...text('{"ts":1,"note":"'), 0xff, 0xfe, 0xc3, 0x28, ...text('"}')]);
  const bad: Bad[] = [
    { what: 'not JSON (key=value text)', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_JSON', payload: text(`ts=${tsMs};${numeric}=21.5`) },
    { what: 'truncated JSON', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_JSON', payload: text(JSON.stringify(good).slice(0, 20)) },
    { what: 'NaN literal', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_JSON', payload: text(JSON.stringify(good).replace(/\}$/, ',"x":NaN}')) },
    { what: 'empty payload', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_JSON', payload: new Uint8Array(0) },
    { what: 'bad UTF-8', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_ENCODING', payload: badUtf8 },
    { what: 'huge (9 KB)', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_TOO_LARGE', payload: json({ ...good, log: 'x'.repeat(9000) }) },
    { what: 'number sent as a string', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ ...good, [numeric]: String(valid[numeric]) }) },
    { what: 'out of range', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ ...good, [numeric]: -1_000_000 }) },
    { what: 'unknown field', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ ...good, humidity_pct: 40 }) },
    { what: 'missing ts', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json(noTs) },
    { what: 'negative ts', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ ...good, ts: -1 }) },
    { what: 'negative seq', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ ...good, seq: -1 }) },
    { what: 'fractional seq', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ ...good, seq: 1.5 }) },
    { what: 'deeply nested', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ ...good, extra: deep }) },
    { what: 'top-level array', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json([good]) },
    { what: 'JSON null', message: 'telemetry', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: text('null') },
    { what: 'unknown event name', message: 'event', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ event: 'on_fire_maybe', ts: tsMs, seq: seq0 }) },
    { what: 'status with an unknown state', message: 'status', expect: 'HUB_ERR_PAYLOAD_SCHEMA', payload: json({ state: 'sleeping', ts: tsMs }) },
  ];
  return bad;
}

/** A device with buggy firmware sends one malformed message every two seconds. */
export const malformedFirmware: Scenario = {
  name: 'malformed-firmware',
  description: 'one device sends 18 malformed payloads (not JSON, wrong types, out of range, huge, bad UTF-8, nested, NaN...)',
  build({ devices, seed, startMs }) {
    const device = firstOfKind(devices, 'smoke', true);
    const valid = new DeviceBehaviour(device, seed, startMs, FIELD_PARAMS).sample(startMs);
    const steps: TimelineStep[] = malformedPayloads(valid, startMs, 1_000_000).map((b, i) => ({
      atMs: startMs + i * 2000,
      deviceId: device.id,
      action: 'raw',
      message: b.message,
      payload: b.payload,
      expect: b.expect,
      what: b.what,
    }));
    return timeline(this.name, startMs, steps);
  },
};
