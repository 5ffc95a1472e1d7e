import type { Scenario } from '../timeline.ts';
import { buildingFire } from './building-fire.ts';
import { deviceGoesSilent } from './device-goes-silent.ts';
import { ebikeRepeatOffender } from './ebike-repeat-offender.ts';
import { flappingSensor } from './flapping-sensor.ts';
import { lunchtimeBinOverflow } from './lunchtime-bin-overflow.ts';
import { malformedFirmware } from './malformed-firmware.ts';
import { manholeDisplacedByTruck } from './manhole-displaced-by-truck.ts';
import { reconnectStorm } from './reconnect-storm.ts';

export const SCENARIOS: Record<string, Scenario> = Object.fromEntries(
  [buildingFire, lunchtimeBinOverflow, manholeDisplacedByTruck, ebikeRepeatOffender, deviceGoesSilent, flappingSensor, malformedFirmware, reconnectStorm].map((s) => [s.name, s]),
);

export { buildingFire, deviceGoesSilent, ebikeRepeatOffender, flappingSensor, lunchtimeBinOverflow, malformedFirmware, manholeDisplacedByTruck, reconnectStorm };
export { malformedPayloads } from './malformed-firmware.ts';
export { POWER_CUT_MS } from './reconnect-storm.ts';
