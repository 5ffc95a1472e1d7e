import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { HubError, type SiteFile } from '@gridhub/core';
import type { DeviceCredentials } from './device.ts';
import type { SimDeviceInfo } from './models/types.ts';

/** A device of a site as the simulators need it: its place, geometry and credentials. */
export interface SiteDevice extends SimDeviceInfo {
  gridId: string;
  secret: string | null;
}

/** Flattens a site's devices with the floors of their building. Secrets come from `secrets` or the entry's plain `secret`. */
export function siteDevices(site: SiteFile, secrets: Record<string, string> = {}): SiteDevice[] {
  const out: SiteDevice[] = [];
  for (const community of site.communities) {
    for (const grid of community.grids) {
      for (const estate of grid.estates) {
        const floors = new Map(estate.buildings.map((b) => [b.id, b.floors]));
        for (const d of estate.devices) {
          out.push({
            id: d.id,
            kind: d.kind,
            gridId: grid.id,
            estateId: estate.id,
            buildingId: d.building ?? null,
            unitId: d.unit ?? null,
            floor: d.floor ?? null,
            buildingFloors: d.building ? (floors.get(d.building) ?? null) : null,
            binDepthMm: d.bin_depth_mm ?? null,
            sensorOffsetMm: d.sensor_offset_mm ?? null,
            secret: secrets[d.id] ?? d.secret ?? null,
          });
        }
      }
    }
  }
  return out;
}

export function credentialsOf(devices: readonly SiteDevice[]): DeviceCredentials[] {
  return devices.map((d) => {
    if (d.secret === null) throw new HubError('HUB_ERR_CONFIG', [`no secret for device ${d.id} (give a secrets file)`]);
    return { id: d.id, kind: d.kind, secret: d.secret };
  });
}

/** Where the secrets of a site file are kept: `<site>.secrets.json` next to it. */
export function secretsPathFor(sitePath: string): string {
  return sitePath.replace(/\.ya?ml$/i, '') + '.secrets.json';
}

export interface LoadedSite {
  path: string;
  site: SiteFile;
  devices: SiteDevice[];
}

/**
 * Reads a site file (YAML or JSON) and its devices' secrets: the plain `secret` of an entry, the
 * secrets file next to it, or `secretFor(id)` (the demo site's rule) for the rest.
 */
export function loadSite(path: string, secretFor?: (id: string) => string): LoadedSite {
  let site: SiteFile;
  try {
    site = parse(readFileSync(path, 'utf8')) as SiteFile;
  } catch (err) {
    throw new HubError('HUB_ERR_SITE_INVALID', [`${path}: ${err instanceof Error ? err.message : String(err)}`]);
  }
  if (!site || !Array.isArray(site.communities)) throw new HubError('HUB_ERR_SITE_INVALID', [`${path}: no communities`]);
  const secretsPath = secretsPathFor(path);
  const secrets: Record<string, string> = existsSync(secretsPath) ? (JSON.parse(readFileSync(secretsPath, 'utf8')) as Record<string, string>) : {};
  const devices = siteDevices(site, secrets).map((d) => (d.secret === null && secretFor ? { ...d, secret: secretFor(d.id) } : d));
  return { path, site, devices };
}

/** The demo site of @gridhub/store (its device secrets are `'demo-' + id`). */
export async function loadDemoSite(): Promise<LoadedSite> {
  const { DEMO_SITE_PATH, demoDeviceSecret } = await import('@gridhub/store');
  return loadSite(DEMO_SITE_PATH, demoDeviceSecret);
}
