import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HUB_ERRORS, HubError, contractSchemas, decodePayload, parseUplinkTopic, uplinkTopic, cmdTopic, toHubError,
} from '../src/index.ts';

const root = join(import.meta.dirname, '..', '..');
const enc = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const now = Date.UTC(2026, 10, 21, 8, 0, 0);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof HubError ? err.code : `not a HubError: ${String(err)}`;
  }
  return 'accepted';
}

describe('topics', () => {
  it('round-trips uplink topics and refuses anything else', () => {
    expect(parseUplinkTopic(uplinkTopic('smoke', 'smk-1', 'event'))).toEqual({ kind: 'smoke', deviceId: 'smk-1', message: 'event' });
    for (const bad of ['v1/smoke/smk-1', 'v2/smoke/smk-1/event', 'v1/fridge/x/event', 'v1/smoke/smk-1/cmd', 'v1/smoke/+/event', 'v1/smoke//event', 'v1/smoke/a/event/extra']) {
      expect(parseUplinkTopic(bad), bad).toBeNull();
    }
    expect(cmdTopic('bin', 'bin-7')).toBe('v1/bin/bin-7/cmd');
  });
});

describe('decodePayload', () => {
  const cases: [string, Parameters<typeof decodePayload>[0], Parameters<typeof decodePayload>[1], Uint8Array, string][] = [
    ['smoke telemetry', 'smoke', 'telemetry', enc({ ts: now, seq: 1, obscuration_pct: 0.2, temperature_c: 21, battery_pct: 90 }), 'accepted'],
    ['smoke alarm', 'smoke', 'event', enc({ ts: now, seq: 2, event: 'alarm', obscuration_pct: 12 }), 'accepted'],
    ['bin by distance', 'bin', 'telemetry', enc({ ts: now, seq: 3, distance_mm: 420, temperature_c: 18, tilted: false, battery_pct: 77 }), 'accepted'],
    ['manhole', 'manhole', 'telemetry', enc({ ts: now, seq: 4, tilt_deg: 22.4, open: false, water_level_cm: 30, battery_pct: 89 }), 'accepted'],
    ['ebike', 'ebike', 'event', enc({ ts: now, seq: 5, event: 'ebike_detected', confidence: 0.93, floor: 1, door_held: true }), 'accepted'],
    ['status will (no ts)', 'ebike', 'status', enc({ state: 'offline' }), 'accepted'],
    ['not JSON', 'smoke', 'telemetry', enc('hello'), 'HUB_ERR_PAYLOAD_JSON'],
    ['NaN', 'smoke', 'telemetry', enc('{"ts":1,"seq":1,"obscuration_pct":NaN}'), 'HUB_ERR_PAYLOAD_JSON'],
    ['wrong type', 'smoke', 'telemetry', enc({ ts: now, seq: 1, obscuration_pct: '3', temperature_c: 21, battery_pct: 90 }), 'HUB_ERR_PAYLOAD_SCHEMA'],
    ['out of range', 'smoke', 'telemetry', enc({ ts: now, seq: 1, obscuration_pct: 3, temperature_c: 21, battery_pct: 140 }), 'HUB_ERR_PAYLOAD_SCHEMA'],
    ['unknown field', 'smoke', 'telemetry', enc({ ts: now, seq: 1, obscuration_pct: 3, temperature_c: 21, battery_pct: 40, temprature: 3 }), 'HUB_ERR_PAYLOAD_SCHEMA'],
    ['unknown event', 'smoke', 'event', enc({ ts: now, seq: 1, event: 'party' }), 'HUB_ERR_PAYLOAD_SCHEMA'],
    // A wrong device clock never refuses a message (an alarm is an alarm): ingest flags it instead.
    ['ts in seconds (a wrong clock is accepted)', 'smoke', 'event', enc({ ts: Math.floor(now / 1000), seq: 1, event: 'alarm' }), 'accepted'],
    ['ts 0 (an unset clock is accepted)', 'smoke', 'event', enc({ ts: 0, seq: 1, event: 'alarm' }), 'accepted'],
    ['negative ts', 'smoke', 'event', enc({ ts: -1, seq: 1, event: 'alarm' }), 'HUB_ERR_PAYLOAD_SCHEMA'],
    ['array', 'bin', 'telemetry', enc([1, 2, 3]), 'HUB_ERR_PAYLOAD_SCHEMA'],
    ['deeply nested', 'bin', 'telemetry', enc('['.repeat(4000) + ']'.repeat(4000)), 'HUB_ERR_PAYLOAD_SCHEMA'],
    ['bad UTF-8', 'smoke', 'event', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d]), 'HUB_ERR_PAYLOAD_ENCODING'],
    ['1 MB', 'smoke', 'event', new Uint8Array(1024 * 1024).fill(0x20), 'HUB_ERR_PAYLOAD_TOO_LARGE'],
    ['confidence > 1', 'ebike', 'event', enc({ ts: now, seq: 5, event: 'ebike_detected', confidence: 1.3, floor: 1, door_held: true }), 'HUB_ERR_PAYLOAD_SCHEMA'],
  ];
  it.each(cases)('%s', (_name, kind, message, payload, expected) => {
    expect(code(() => decodePayload(kind, message, payload))).toBe(expected);
  });
});

describe('errors', () => {
  it('fills message templates and keeps the code', () => {
    const e = new HubError('HUB_ERR_PAYLOAD_TOO_LARGE', [9000, 8192]);
    expect(e.message).toBe('payload of 9000 bytes exceeds the limit of 8192 bytes');
    expect(e.toJSON()).toEqual({ code: 'HUB_ERR_PAYLOAD_TOO_LARGE', message: e.message });
    expect(toHubError(new Error('boom')).code).toBe('HUB_ERR_INTERNAL');
  });

  it('documents every code in docs/errors.md', () => {
    const doc = readFileSync(join(root, 'docs', 'errors.md'), 'utf8');
    const missing = Object.keys(HUB_ERRORS).filter((c) => !doc.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });
});

describe('published JSON Schemas', () => {
  it('core/schemas/ matches the code (run `npm run schemas` after changing the contract)', () => {
    for (const [name, schema] of Object.entries(contractSchemas())) {
      const file = readFileSync(join(root, 'core', 'schemas', `${name}.schema.json`), 'utf8');
      expect(JSON.parse(file), name).toEqual(schema);
    }
  });
});
