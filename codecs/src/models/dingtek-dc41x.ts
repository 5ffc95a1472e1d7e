import { event, num, numberIn, telemetry, waterLevelCm } from '../mapping.ts';
import type { BuiltinModel, ContractMessage, DeviceParams } from '../types.ts';
import { dingtekDecoder, encodeDingtek, numericData, numericParams } from './dingtek-frame.ts';

/**
 * Dingtek DC410 and DC413: manhole cover sensors (智能井盖) on the Dingtek frame: an ultrasonic
 * distance to the water below, a tilt/motion alarm, a low-battery flag. DC410's published decoder
 * gives figures as text with units ('1700 mm', '22 ℃'); DC413's gives numbers.
 */
const UNITS = { celsius: ' ℃', hours: ' hours', minutes: ' minutes', mm: ' mm', degrees: ' °', cm: ' cm' };

function manholeMessages(distanceMm: number, angle: number | undefined, water: boolean, motion: boolean, lowBattery: boolean, params: DeviceParams) {
  const messages: ContractMessage[] = [];
  const tilt = angle === undefined ? undefined : Math.min(180, Math.abs(angle));
  const level = waterLevelCm(distanceMm, params);
  messages.push(telemetry({ tilt_deg: tilt ?? 0, water_level_cm: level }));
  if (motion) messages.push(event('tilted', { tilt_deg: tilt }));
  if (water) messages.push(event('water_high', { water_level_cm: level }));
  if (lowBattery) messages.push(event('low_battery'));
  return { messages, warnings: level === undefined ? ['water_level_cm needs the well depth (param wellDepthMm)'] : [] };
}

export const dc410: BuiltinModel = {
  id: 'dingtek-dc410',
  vendor: 'Dingtek',
  name: 'DC410',
  kind: 'manhole',
  source: 'TheThingsNetwork/lorawan-devices vendor/dingtek/dc410-codec.yaml, dc410.js',
  decode: dingtekDecoder({
    params: (p) => ({
      periodic_upload_interval: p.uploadInterval + UNITS.hours,
      periodic_detection_interval: p.detectInterval + UNITS.minutes,
      full_alarm_threshold: p.levelThreshold + UNITS.cm,
      motion_alarm_threshold: p.fallThreshold + UNITS.degrees,
      motion_alarm_enable: p.fallEnable,
      ultrasonic_range: (p.workMode === 0 ? 2000 : 5000) + UNITS.mm,
    }),
    data: (d) => ({
      level: d.level + UNITS.mm, full: d.full, motion: d.tilt, battery: d.battery,
      angle: d.angle + UNITS.degrees, temperature: d.temperature + UNITS.celsius, frame_counter: d.frameCounter,
    }),
    gps: false,
  }),
  map(decoded, params) {
    const level = numberIn(decoded.level);
    if (level === undefined) return { messages: [], warnings: ['a parameter report: nothing for the contract'] };
    return manholeMessages(level, numberIn(decoded.angle), decoded.full === true, decoded.motion === true, decoded.battery === true, params);
  },
  encode(data) {
    return encodeDingtek(0x02, {
      level: numberIn(data.level) ?? 0, temperature: numberIn(data.temperature) ?? 20, angle: numberIn(data.angle) ?? 0,
      full: data.full === true, fire: false, tilt: data.motion === true, battery: data.battery === true,
      frameCounter: num(data.frame_counter) ?? 0,
    });
  },
};

export const dc413: BuiltinModel = {
  id: 'dingtek-dc413',
  vendor: 'Dingtek',
  name: 'DC413',
  kind: 'manhole',
  source: 'TheThingsNetwork/lorawan-devices vendor/dingtek/dc413-codec.yaml (examples)',
  decode: dingtekDecoder({ params: (p) => numericParams(p, false), data: (d) => numericData(d, false), gps: false }),
  map(decoded, params) {
    const level = num(decoded.level);
    if (level === undefined) return { messages: [], warnings: ['a parameter report: nothing for the contract'] };
    return manholeMessages(level, num(decoded.angle), decoded.alarmLevel === true, decoded.alarmFall === true, decoded.alarmBattery === true, params);
  },
  encode(data) {
    return encodeDingtek(0x02, {
      level: num(data.level) ?? 0, temperature: num(data.temperature) ?? 20, angle: num(data.angle) ?? 0,
      full: data.alarmLevel === true, fire: false, tilt: data.alarmFall === true, battery: data.alarmBattery === true,
      frameCounter: num(data.frameCounter) ?? 0,
    });
  },
};
