import type { DeviceKind } from '@gridhub/core';
import { BIN_EVENTS, MANHOLE_EVENTS, SMOKE_EVENTS, EBIKE_EVENTS } from '@gridhub/core';
import { defined, event, fillFromDistance, telemetry } from '../mapping.ts';
import type { ContractMapping, ContractMessage } from '../types.ts';

/**
 * The mapping for an uploaded codec of a model we have no built-in for: the decoded object's fields
 * that already carry a contract name are taken as they are, plus the names vendors commonly use
 * (`battery` %, `temperature` °C, `distance` mm, `concentration` %); an `event` that names one of
 * the kind's contract events becomes that event. Anything else stays in `decoded` only.
 */
const ALIASES: Record<string, string> = {
  battery: 'battery_pct',
  temperature: 'temperature_c',
  distance: 'distance_mm',
  concentration: 'obscuration_pct',
};

const TELEMETRY_FIELDS: Record<DeviceKind, readonly string[]> = {
  bin: ['fill_pct', 'distance_mm', 'temperature_c', 'tilted', 'battery_pct', 'battery_v'],
  smoke: ['obscuration_pct', 'temperature_c', 'battery_pct', 'battery_v', 'rssi_dbm'],
  manhole: ['tilt_deg', 'open', 'water_level_cm', 'ch4_pct_lel', 'battery_pct', 'battery_v'],
  ebike: ['camera_ok', 'temperature_c', 'uptime_s'],
};

const EVENTS: Record<DeviceKind, readonly string[]> = { bin: BIN_EVENTS, smoke: SMOKE_EVENTS, manhole: MANHOLE_EVENTS, ebike: EBIKE_EVENTS };

export function genericMapping(kind: DeviceKind): ContractMapping {
  const fields = TELEMETRY_FIELDS[kind];
  return (decoded, params) => {
    const t: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(decoded)) {
      const name = ALIASES[k] ?? k;
      if (fields.includes(name) && (typeof v === 'number' || typeof v === 'boolean') && t[name] === undefined) t[name] = v;
    }
    if (kind === 'bin' && t.fill_pct === undefined && typeof t.distance_mm === 'number') t.fill_pct = fillFromDistance(t.distance_mm, params);
    const messages: ContractMessage[] = [];
    const warnings: string[] = [];
    if (Object.keys(defined(t)).length > 0) messages.push(telemetry(t));
    const e = decoded.event;
    if (typeof e === 'string') {
      if (EVENTS[kind].includes(e)) messages.push(event(e));
      else warnings.push(`event "${e.slice(0, 40)}" is not a ${kind} contract event`);
    }
    if (messages.length === 0) warnings.push('no field of the decoded object maps to the contract');
    return { messages, warnings };
  };
}
