/**
 * Rule evaluations per second in process, one core: observe + step for a mix of threshold,
 * event and battery rules over bin, smoke and manhole readings. Run: `npx tsx rules/bench/evaluate.ts`,
 * or import `measureEvaluations` (hub/bench/rules.ts does).
 */
import { pathToFileURL } from 'node:url';
import type { Reading } from '@gridhub/core';
import { INITIAL_ALERT_STATE, step, type AlertState } from '../src/alert/step.ts';
import { buildRuleSet, rulesFor } from '../src/config/ruleset.ts';
import { observe, type Rule } from '../src/kinds/index.ts';
import type { KindMemory } from '../src/kinds/common.ts';

const set = buildRuleSet({ version: 1 });
const place = { street: 's', community: 'c', grid: 'g', estate: 'e', building: 'b', unit: 'u' };
const DEVICES = 1_000;
const devices = Array.from({ length: DEVICES }, (_, i) => {
  const kind = (['bin', 'smoke', 'manhole'] as const)[i % 3]!;
  const rules: Rule[] = rulesFor(set, { id: `d${i}`, kind, place }).filter((r) => r.kind !== 'liveness' && r.kind !== 'count');
  return { id: `d${i}`, kind, rules, states: rules.map(() => INITIAL_ALERT_STATE as AlertState), mem: rules.map((): KindMemory => ({})) };
});

function reading(d: (typeof devices)[number], t: number): Reading {
  const v = (t * 7 + d.id.length * 13) % 100;
  const fields: Reading['fields'] =
    d.kind === 'bin' ? { fill_pct: v, temperature_c: 20 + (v % 50), tilted: false, battery_pct: 80 }
    : d.kind === 'manhole' ? { tilt_deg: v % 20, open: false, water_level_cm: v, battery_pct: 60 }
    : { event: v % 2 ? 'alarm' : 'alarm_cleared' };
  return { deviceId: d.id, kind: d.kind, message: d.kind === 'smoke' ? 'event' : 'telemetry', tsMs: 1_700_000_000_000 + t * 1000, seq: t, rxMs: 1_700_000_000_000 + t * 1000, place, fields };
}

/** Observe + step over DEVICES devices for `rounds` readings each; returns the rate. */
export function measureEvaluations(rounds = 400): { evaluations: number; seconds: number; perSec: number; transitions: number } {
  const ROUNDS = rounds;
  const readings = Array.from({ length: ROUNDS }, (_, t) => devices.map((d) => reading(d, t)));
  let evaluations = 0;
  let transitions = 0;
  const start = process.hrtime.bigint();
  for (let t = 0; t < ROUNDS; t++) {
    const batch = readings[t]!;
    for (let i = 0; i < DEVICES; i++) {
      const d = devices[i]!;
      const r = batch[i]!;
      for (let k = 0; k < d.rules.length; k++) {
        const obs = observe(d.rules[k]!, r, d.mem[k]!);
        if (!obs) continue;
        const res = step(d.states[k]!, obs, d.rules[k]!, r.tsMs);
        d.states[k] = res.next;
        transitions += res.transitions.length;
        evaluations++;
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { evaluations, seconds, perSec: Math.round(evaluations / seconds), transitions };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = measureEvaluations();
  console.log(`${r.evaluations} rule evaluations (observe + step) in ${r.seconds.toFixed(2)} s: ${r.perSec.toLocaleString('en')} evaluations/s on one core; ${r.transitions} transitions`);
}
