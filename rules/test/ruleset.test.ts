import { describe, expect, it } from 'vitest';
import type { DevicePlace, Reading } from '@gridhub/core';
import { buildRuleSet, parseRuleSetYaml, rulesFor } from '../src/config/ruleset.ts';
import { inSchedule, isSilenced } from '../src/config/schedule.ts';
import { rulesErrorCode } from '../src/errors.ts';
import { livenessLevel, observe, type Rule } from '../src/kinds/index.ts';
import { resolveCommon } from '../src/kinds/common.ts';

const place = (building = 'b01', estate = 'hy', unit = 'u1'): DevicePlace => ({ street: 's', community: 'c', grid: 'g1', estate, building, unit });
const reading = (fields: Reading['fields'], message: Reading['message'] = 'telemetry', tsMs = 1_000): Reading => ({
  deviceId: 'd1', kind: 'bin', message, tsMs, seq: 1, rxMs: tsMs, place: place(), fields,
});

function problems(fn: () => unknown): { path: string; reason: string }[] {
  try {
    fn();
  } catch (err) {
    expect(rulesErrorCode(err)).toBe('RULES_ERR_RULESET_INVALID');
    return (err as { details: { errors: { path: string; reason: string }[] } }).details.errors;
  }
  throw new Error('expected the rule set to be refused');
}

describe('rule sets (YAML, validated, overrides)', () => {
  it('ships defaults for every device kind with the issue\'s starting values', () => {
    const set = buildRuleSet({ version: 1 });
    const bin = rulesFor(set, { id: 'bin-1', kind: 'bin', place: place() });
    const soon = bin.find((r) => r.id === 'bin.collect_soon')!;
    expect(soon).toMatchObject({ kind: 'threshold', priority: 'P3', set: 80, forMs: 600_000 });
    expect(rulesFor(set, { id: 's', kind: 'smoke', place: place() }).find((r) => r.id === 'smoke.alarm')).toMatchObject({ priority: 'P1' });
    expect(rulesFor(set, { id: 'm', kind: 'manhole', place: place() }).find((r) => r.id === 'manhole.tilt')).toMatchObject({ forMs: 2_000, set: 10 });
    for (const kind of ['smoke', 'bin', 'manhole', 'ebike'] as const) expect(rulesFor(set, { id: 'x', kind, place: place() }).length).toBeGreaterThan(2);
  });

  it('applies overrides estate < building < device, most specific wins, and can disable a rule', () => {
    const file = parseRuleSetYaml(`
version: 1
overrides:
  - { estate: hy, rules: { bin.collect_soon: { above: 70, clear: 60 } } }
  - { building: b01, rules: { bin.collect_soon: { above: 75, clear: 60 } } }
  - { device: bin-9, rules: { bin.collect_soon: { enabled: false } } }
`);
    const set = buildRuleSet(file);
    const get = (id: string, p: DevicePlace) => rulesFor(set, { id, kind: 'bin', place: p }).find((r) => r.id === 'bin.collect_soon');
    expect(get('bin-1', place('b02'))).toMatchObject({ set: 70 });
    expect(get('bin-1', place('b01'))).toMatchObject({ set: 75 });
    expect(get('bin-1', place('b09', 'other'))).toMatchObject({ set: 80 });
    expect(get('bin-9', place('b01'))).toBeUndefined();
  });

  it('refuses a bad rule set with every problem and its path', () => {
    const errs = problems(() =>
      buildRuleSet(parseRuleSetYaml(`
version: 1
rules:
  - { id: x.one, device_kind: bin, kind: threshold, title: t, priority: P9, field: fill_pct, above: 80 }
  - { id: x.two, device_kind: bin, kind: threshold, title: t, priority: P2, field: fill_pct, above: 80, clear: 90 }
  - { id: x.three, device_kind: bin, kind: nosuch, title: t, priority: P2 }
  - { id: x.four, device_kind: smoke, kind: liveness, title: t, priority: P3, late_after: 2d, offline_after: 1d }
overrides:
  - { estate: hy, rules: { bin.full: { for: soon } } }
  - { estate: hy, building: b1, rules: { nope: { above: 1 } } }
silences:
  - { id: s1, estate: hy, from: "2025-01-02T00:00:00+08:00", to: "2025-01-01T00:00:00+08:00", reason: works }
`)),
    );
    const paths = errs.map((e) => e.path);
    expect(paths).toContain('rules[0].priority');
    expect(paths).toContain('rules[1].clear');
    expect(paths).toContain('rules[2].kind');
    expect(paths).toContain('rules[3].offline_after');
    expect(paths.some((p) => p.startsWith('overrides[0].rules.bin.full.for'))).toBe(true);
    expect(paths).toContain('overrides[1]');
    expect(paths).toContain('overrides[1].rules.nope');
    expect(paths).toContain('silences[0].to');
  });

  it('reports a YAML syntax error with line and column', () => {
    const errs = problems(() => parseRuleSetYaml('version: 1\nrules: [ {id: a\n', 'site-rules.yaml'));
    expect(errs[0]!.path).toMatch(/^site-rules\.yaml:\d+:\d+$/);
  });
});

describe('rule kinds', () => {
  const set = buildRuleSet({ version: 1 });
  const rule = (id: string) => [...set.base.values()].find((r) => r.id === id)!;

  it('threshold with hysteresis: breach at the set level, hold in between, clear at the clear level', () => {
    const r = rule('bin.collect_soon');
    expect([85, 80, 75, 70, 50].map((v) => observe(r, reading({ fill_pct: v }), {})!.type)).toEqual(['breach', 'breach', 'hold', 'clear', 'clear']);
    expect(observe(r, reading({ temperature_c: 20 }), {})).toBeNull();
  });

  it('boolean threshold (camera_ok is false)', () => {
    const r = rule('ebike.camera_fault');
    expect(observe(r, reading({ camera_ok: false }), {})!.type).toBe('breach');
    expect(observe(r, reading({ camera_ok: true }), {})!.type).toBe('clear');
  });

  it('event with a condition: e-bike detected only at confidence >= 0.8; cleared when it leaves', () => {
    const r = rule('ebike.detected');
    expect(observe(r, reading({ event: 'ebike_detected', confidence: 0.79 }, 'event'), {})).toBeNull();
    expect(observe(r, reading({ event: 'ebike_detected', confidence: 0.8 }, 'event'), {})!.type).toBe('breach');
    expect(observe(r, reading({ event: 'ebike_left', confidence: 0.9 }, 'event'), {})!.type).toBe('clear');
  });

  it('count in a window: the third detection in 7 days breaches; the window slides', () => {
    const r = rule('ebike.repeat');
    const mem = {};
    const day = 86_400_000;
    const types = [0, 2 * day, 5 * day].map((t) => observe(r, reading({ event: 'ebike_detected', confidence: 0.9 }, 'event', t + 1), mem)!.type);
    expect(types).toEqual(['clear', 'clear', 'breach']);
    // Day 8: the first detection has left the window.
    expect(observe(r, reading({ event: 'ebike_detected', confidence: 0.9 }, 'event', 8 * day), mem)!.value).toBe(3);
    expect(observe(r, reading({ event: 'ebike_detected', confidence: 0.9 }, 'event', 20 * day), mem)!.type).toBe('clear');
  });

  it('liveness in three levels, and a last will takes a connected camera offline after a minute', () => {
    const smoke = rule('smoke.offline');
    const h = 3_600_000;
    const lv = smoke.kind === 'liveness' ? smoke : null;
    expect(lv).not.toBeNull();
    expect(livenessLevel(lv!, {}, 0)).toBe('unknown');
    expect(livenessLevel(lv!, { lastSeenMs: 0 }, 24 * h)).toBe('online');
    expect(livenessLevel(lv!, { lastSeenMs: 0 }, 25 * h)).toBe('late');
    expect(livenessLevel(lv!, { lastSeenMs: 0 }, 49 * h)).toBe('offline');
    const cam = rule('ebike.offline') as Extract<Rule, { kind: 'liveness' }>;
    expect(livenessLevel(cam, { lastSeenMs: 0, willMs: 0 }, 59_999)).toBe('online');
    expect(livenessLevel(cam, { lastSeenMs: 0, willMs: 0 }, 60_000)).toBe('offline');
    // A battery smoke alarm that dropped its connection abruptly (a will) is not offline a minute
    // later: without `will_grace`, a will counts no sooner than `offline_after`.
    expect(livenessLevel(lv!, { lastSeenMs: 0, willMs: 0 }, 60_000)).toBe('online');
    expect(livenessLevel(lv!, { lastSeenMs: 0, willMs: 0 }, 26 * h)).toBe('late');
    expect(livenessLevel(lv!, { lastSeenMs: 0, willMs: 0 }, 49 * h)).toBe('offline');
  });

  it('low battery by level or by the device\'s own event', () => {
    const r = rule('smoke.battery');
    expect(observe(r, reading({ battery_pct: 15 }), {})!.type).toBe('breach');
    expect(observe(r, reading({ battery_pct: 25 }), {})!.type).toBe('hold');
    expect(observe(r, reading({ event: 'low_battery' }, 'event'), {})!.type).toBe('breach');
  });
});

describe('schedules and silences', () => {
  const at = (iso: string) => Date.parse(iso);
  it('a schedule holds on its days and hours, local time, also over midnight', () => {
    const day = resolveCommon({ id: 'x', device_kind: 'bin', title: 't', priority: 'P3', schedule: { days: [1, 2, 3, 4, 5], from: '07:00', to: '22:00' } }).schedule;
    expect(inSchedule(day, at('2025-03-03T07:00:00+08:00'))).toBe(true); // Monday
    expect(inSchedule(day, at('2025-03-03T06:59:00+08:00'))).toBe(false);
    expect(inSchedule(day, at('2025-03-08T12:00:00+08:00'))).toBe(false); // Saturday
    const night = resolveCommon({ id: 'x', device_kind: 'bin', title: 't', priority: 'P3', schedule: { days: [5], from: '22:00', to: '06:00' } }).schedule;
    expect(inSchedule(night, at('2025-03-07T23:00:00+08:00'))).toBe(true); // Friday night
    expect(inSchedule(night, at('2025-03-08T05:00:00+08:00'))).toBe(true); // ... into Saturday
    expect(inSchedule(night, at('2025-03-09T05:00:00+08:00'))).toBe(false);
  });

  it('a silence covers its scope, rules and window only', () => {
    const s = [{ id: 's', scope: { building: 'b01' }, ruleIds: ['smoke.fault'], fromMs: 100, toMs: 200, reason: 'works' }];
    expect(isSilenced(s, 'd', place('b01'), 'smoke.fault', 150)?.id).toBe('s');
    expect(isSilenced(s, 'd', place('b02'), 'smoke.fault', 150)).toBeNull();
    expect(isSilenced(s, 'd', place('b01'), 'smoke.alarm', 150)).toBeNull();
    expect(isSilenced(s, 'd', place('b01'), 'smoke.fault', 200)).toBeNull();
  });
});
