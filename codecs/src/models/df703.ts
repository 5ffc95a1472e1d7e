import { event, fillFromDistance, num, telemetry } from '../mapping.ts';
import type { BuiltinModel, ContractMessage } from '../types.ts';
import { dingtekDecoder, encodeDingtek, numericData, numericParams } from './dingtek-frame.ts';

/** Dingtek DF703: ultrasonic bin level with fire (temperature) and fall (tilt) alarms, LoRaWAN. */
export const df703: BuiltinModel = {
  id: 'dingtek-df703',
  vendor: 'Dingtek',
  name: 'DF703',
  kind: 'bin',
  source: 'TheThingsNetwork/lorawan-devices vendor/dingtek/df703-codec.yaml (examples)',
  decode: dingtekDecoder({ params: (p) => numericParams(p, true), data: (d) => numericData(d, true), gps: true }),
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
