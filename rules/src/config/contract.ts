import type { TObject, TSchema } from '@sinclair/typebox';
import { PAYLOAD_SCHEMAS, type DeviceKind } from '@gridhub/core';

/**
 * What a device kind's contract (core/src/payloads) lets a rule name: the fields its telemetry and
 * events carry, and its event names. A rule naming anything else would load and never fire, so
 * the rule set's validation refuses it with the field named (rules/src/config/ruleset.ts).
 */
export interface KindVocabulary {
  /** Numeric or boolean fields of telemetry or events (not the envelope's ts, seq, nor `event`). */
  fields: ReadonlySet<string>;
  /** Fields of events only (`where` conditions test the event that fired). */
  eventFields: ReadonlySet<string>;
  events: ReadonlySet<string>;
}

const ENVELOPE = new Set(['ts', 'seq', 'event']);

function eventNames(schema: TObject): string[] {
  const ev = schema.properties.event as TSchema & { anyOf?: { const?: unknown }[]; const?: unknown };
  if (!ev) return [];
  if (ev.anyOf) return ev.anyOf.map((s) => s.const).filter((c): c is string => typeof c === 'string');
  return typeof ev.const === 'string' ? [ev.const] : [];
}

const vocab = new Map<DeviceKind, KindVocabulary>(
  (Object.entries(PAYLOAD_SCHEMAS) as [DeviceKind, (typeof PAYLOAD_SCHEMAS)[DeviceKind]][]).map(([kind, s]) => {
    const eventFields = Object.keys(s.event.properties).filter((f) => !ENVELOPE.has(f));
    const fields = new Set([...Object.keys(s.telemetry.properties).filter((f) => !ENVELOPE.has(f)), ...eventFields]);
    return [kind, { fields, eventFields: new Set(eventFields), events: new Set(eventNames(s.event)) }];
  }),
);

export function kindVocabulary(kind: DeviceKind): KindVocabulary {
  return vocab.get(kind)!;
}

const list = (s: ReadonlySet<string>) => [...s].join(', ');

/**
 * Pure: problems of one rule (as written in YAML, schema-valid) against its device kind's contract,
 * as [path under the rule, reason]. Fields and event names a kind never sends are refused.
 */
export function contractProblems(raw: Record<string, unknown>): [string, string][] {
  const v = vocab.get(raw.device_kind as DeviceKind);
  if (!v) return [];
  const kind = String(raw.device_kind);
  const out: [string, string][] = [];
  if (typeof raw.field === 'string' && !v.fields.has(raw.field)) out.push(['field', `field ${raw.field} is not in the ${kind} contract (one of ${list(v.fields)})`]);
  const names = (key: string) => {
    const given = raw[key];
    if (!Array.isArray(given)) return;
    given.forEach((e, i) => {
      if (typeof e === 'string' && !v.events.has(e)) out.push([`${key}[${i}]`, `event ${e} is not in the ${kind} contract (one of ${list(v.events)})`]);
    });
  };
  names('events');
  names('clear_events');
  const where = raw.where as { field?: unknown } | undefined;
  if (where && typeof where.field === 'string' && !v.eventFields.has(where.field)) {
    out.push(['where.field', `field ${where.field} is not in the ${kind} event contract (one of ${list(v.eventFields)})`]);
  }
  return out;
}
