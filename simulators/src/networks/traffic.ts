import type { SiteFile } from '@gridhub/core';
import { MODEL_SAMPLES } from './samples.ts';

/** A site device behind a network server or platform, with the sample frames of its model. */
export interface NetworkSimDevice {
  id: string;
  model: string;
  devEui: string | null;
  networkApp: string | null;
  imei: string | null;
  platformDeviceId: string | null;
  normal: Record<string, unknown>;
  alarm: Record<string, unknown>;
}

/** The site's devices that have a built-in model with samples and a network identity. */
export function networkSimDevices(site: SiteFile): NetworkSimDevice[] {
  const samples = new Map(MODEL_SAMPLES.map((s) => [s.model, s]));
  const out: NetworkSimDevice[] = [];
  for (const c of site.communities) for (const g of c.grids) for (const e of g.estates) for (const d of e.devices) {
    const s = d.model ? samples.get(d.model) : undefined;
    if (!s || (!d.dev_eui && !d.imei && !d.platform_device_id)) continue;
    out.push({ id: d.id, model: s.model, devEui: d.dev_eui?.toLowerCase() ?? null, networkApp: d.network_app ?? null, imei: d.imei ?? null, platformDeviceId: d.platform_device_id ?? null, normal: s.normal, alarm: s.alarm });
  }
  return out;
}

/** Deterministic: the n-th uplink of the run is an alarm every `alarmEvery` uplinks (0: never). */
export function isAlarm(n: number, alarmEvery: number): boolean {
  return alarmEvery > 0 && n % alarmEvery === alarmEvery - 1;
}
