import { event, fillFromDistance, num, telemetry } from '../mapping.ts';
import type { BuiltinModel, ContractMessage, TtnDecodeResult } from '../types.ts';
import { encodeDingtek, fail, parseDingtek } from './dingtek-frame.ts';

/** Dingtek DF703: ultrasonic bin level with fire (temperature) and fall (tilt) alarms, LoRaWAN. */
export const df703: BuiltinModel = {
  id: 'dingtek-df703',
  vendor: 'Dingtek',
  name: 'DF703',
  kind: 'bin',
  source: 'TheThingsNetwork/lorawan-devices vendor/dingtek/df703-codec.yaml (examples)',
  decode(frame): TtnDecodeResult {
    const f = parseDingtek(frame);
    if (f.type === 'error') return fail(f.error);
    if (f.type === 'params') {
      const p = f.params;
      return {
        data: {
          firmware: `${p.major}.${p.minor}`, uploadInterval: p.uploadInterval, detectInterval: p.detectInterval,
          levelThreshold: p.levelThreshold, fireThreshold: p.fireThreshold, fallThreshold: p.fallThreshold,
          fallEnable: p.fallEnable, workMode: p.workMode,
        },
      };
    }
    const d = f.data;
    const data: Record<string, unknown> = { level: d.level };
    if (d.gps) Object.assign(data, d.gps);
    Object.assign(data, {
      alarmLevel: d.full, alarmFire: d.fire, alarmFall: d.tilt, alarmBattery: d.battery,
      angle: d.angle, temperature: d.temperature, frameCounter: d.frameCounter,
    });
    return { data };
  },
  map(decoded, params) {
    const level = num(decoded.level);
    if (level === undefined) return { messages: [], warnings: ['a parameter report: nothing for the contract'] };
    const messages: ContractMessage[] = [];
    const tilted = decoded.alarmFall === true;
    const temperature = num(decoded.temperature);
    const fill = fillFromDistance(level, params);
    messages.push(telemetry({ distance_mm: level, fill_pct: fill, temperature_c: temperature, tilted }));
    if (tilted) messages.push(event('tilted', { fill_pct: fill, temperature_c: temperature }));
    if (decoded.alarmBattery === true) messages.push(event('low_battery'));
    // alarmFire is the device's own temperature threshold: the reading's temperature_c carries the
    // heat to the bin.fire rule; the contract has no separate bin fire event.
    return { messages, warnings: [] };
  },
  encode(data) {
    return encodeDingtek(0x01, {
      level: num(data.level) ?? 0, temperature: num(data.temperature) ?? 20, angle: num(data.angle) ?? 0,
      full: data.alarmLevel === true, fire: data.alarmFire === true, tilt: data.alarmFall === true,
      battery: data.alarmBattery === true, frameCounter: num(data.frameCounter) ?? 0,
    });
  },
};
