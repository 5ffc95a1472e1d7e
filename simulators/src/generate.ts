import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hashSecret, type DeviceKind, type SiteDeviceEntry, type SiteFile } from '@gridhub/core';
import { eachLimit } from './fleet.ts';
import { Rng, round } from './rng.ts';
import { loadSite, secretsPathFor, siteDevices, type LoadedSite } from './site.ts';

export interface GenerateSiteOptions {
  estates: number;
  devices: number;
  seed: number;
  /** Share of each kind (default: half smoke alarms, a quarter bins, covers and cameras the rest). */
  mix?: Record<DeviceKind, number>;
}

export interface GeneratedSite {
  site: SiteFile;
  /** Plain secrets by device id (the site file itself holds only their hashes once hashed). */
  secrets: Record<string, string>;
}

export const DEFAULT_MIX: Record<DeviceKind, number> = { smoke: 0.5, bin: 0.25, manhole: 0.15, ebike: 0.1 };
const ESTATES_PER_GRID = 2;
const GRIDS_PER_COMMUNITY = 3;

/** Splits `total` by shares into integers that add up to `total`. */
function apportion(total: number, mix: Record<DeviceKind, number>): Record<DeviceKind, number> {
  const kinds = Object.keys(mix) as DeviceKind[];
  const sum = kinds.reduce((a, k) => a + mix[k], 0);
  const out = { smoke: 0, bin: 0, manhole: 0, ebike: 0 } as Record<DeviceKind, number>;
  let given = 0;
  for (const k of kinds) given += out[k] = Math.floor((total * mix[k]) / sum);
  for (let i = 0; given < total; i++, given++) out[kinds[i % kinds.length]!]++;
  return out;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** A deterministic secret for a generated device (test data: the seed is the key). */
function secretOf(seed: number, id: string): string {
  const rng = Rng.derive(seed, 'secret', id);
  const bytes = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) bytes[i] = rng.int(0, 255);
  return bytes.toString('base64url');
}

/**
 * A district: `estates` estates in grids of two and communities of three grids, `devices` devices
 * spread evenly, smoke alarms one per floor of each stairwell, an e-bike camera per elevator,
 * bins and manhole covers in the grounds. Pure and deterministic for a seed; secrets are plain
 * here (see `hashGeneratedSite`).
 */
export function generateSite(o: GenerateSiteOptions): GeneratedSite {
  const rng = Rng.derive(o.seed, 'site');
  const secrets: Record<string, string> = {};
  const communities: SiteFile['communities'] = [];
  const w = Math.max(2, String(o.estates).length);
  for (let e = 0; e < o.estates; e++) {
    const gridNo = Math.floor(e / ESTATES_PER_GRID);
    const communityNo = Math.floor(gridNo / GRIDS_PER_COMMUNITY);
    let community = communities[communityNo];
    if (!community) communities.push((community = { id: `c${pad(communityNo + 1, 2)}`, name: `社区 ${communityNo + 1}`, grids: [] }));
    let grid = community.grids.find((g) => g.id === `g${pad(gridNo + 1, 3)}`);
    if (!grid) {
      grid = {
        id: `g${pad(gridNo + 1, 3)}`,
        name: `网格 ${gridNo + 1}`,
        estates: [],
        wardens: [
          { id: `w${pad(gridNo + 1, 3)}-1`, name: `网格长 ${gridNo + 1}`, phone: `+86 138 0000 ${pad(gridNo * 2, 4)}`, role: 'grid_leader' },
          { id: `w${pad(gridNo + 1, 3)}-2`, name: `专职网格员 ${gridNo + 1}`, phone: `+86 138 0000 ${pad(gridNo * 2 + 1, 4)}`, role: 'full_time' },
        ],
      };
      community.grids.push(grid);
    }
    const estateId = `e${pad(e + 1, w)}`;
    const count = Math.floor(o.devices / o.estates) + (e < o.devices % o.estates ? 1 : 0);
    const n = apportion(count, o.mix ?? DEFAULT_MIX);
    const floors = rng.int(6, 18);
    const buildingCount = Math.max(1, Math.ceil(n.smoke / (2 * floors)), Math.ceil(n.ebike / 2));
    const cols = Math.ceil(Math.sqrt(buildingCount));
    const plan = { width_m: 40 + cols * 40, height_m: 40 + Math.ceil(buildingCount / cols) * 40 };
    const buildings = Array.from({ length: buildingCount }, (_, b) => ({
      id: `${estateId}-b${pad(b + 1, 3)}`,
      name: `${b + 1}号楼`,
      floors,
      position: { x: 20 + (b % cols) * 40, y: 20 + Math.floor(b / cols) * 40 },
      size: { w: 30, h: 15 },
      units: [1, 2].map((u) => ({ id: `${estateId}-b${pad(b + 1, 3)}-u${u}`, name: `${u}单元`, elevators: [`${estateId}-b${pad(b + 1, 3)}-u${u}-l1`] })),
    }));
    const devices: SiteDeviceEntry[] = [];
    const add = (d: SiteDeviceEntry) => {
      secrets[d.id] = secretOf(o.seed, d.id);
      devices.push(d);
    };
    const stairwells = buildings.flatMap((b) => b.units.map((u) => ({ b, u })));
    for (let i = 0; i < n.smoke; i++) {
      const { b, u } = stairwells[Math.floor(i / floors) % stairwells.length]!;
      add({ id: `${estateId}-smk-${pad(i + 1, 4)}`, kind: 'smoke', building: b.id, unit: u.id, floor: (i % floors) + 1 });
    }
    for (let i = 0; i < n.ebike; i++) {
      const { b, u } = stairwells[i % stairwells.length]!;
      add({ id: `${estateId}-cam-${pad(i + 1, 4)}`, kind: 'ebike', building: b.id, unit: u.id, elevator: u.elevators[0]! });
    }
    const spot = () => ({ x: round(rng.range(0, plan.width_m), 1), y: round(rng.range(0, plan.height_m), 1) });
    for (let i = 0; i < n.bin; i++) {
      add({ id: `${estateId}-bin-${pad(i + 1, 4)}`, kind: 'bin', position: spot(), bin_depth_mm: rng.int(8, 12) * 100, sensor_offset_mm: rng.int(5, 15) * 10 });
    }
    for (let i = 0; i < n.manhole; i++) add({ id: `${estateId}-mh-${pad(i + 1, 4)}`, kind: 'manhole', position: spot() });
    grid.estates.push({ id: estateId, name: `小区 ${e + 1}`, plan, buildings, devices });
  }
  return { site: { version: 1, street: { id: 'sim-street', name: '模拟街道' }, communities }, secrets };
}

/** Replaces each device's plain secret by its scrypt hash (the costly part: ~6 ms a device). */
export async function hashGeneratedSite(g: GeneratedSite, concurrency = 8): Promise<SiteFile> {
  const entries = g.site.communities.flatMap((c) => c.grids.flatMap((gr) => gr.estates.flatMap((e) => e.devices)));
  await eachLimit(entries, concurrency, async (d) => {
    const secret = g.secrets[d.id];
    if (secret === undefined) return;
    d.secret_hash = await hashSecret(secret);
    delete d.secret;
  });
  return g.site;
}

/**
 * A generated site on disk, hashed once and cached: `<dataDir>/sim-sites/site-e{E}-d{D}-s{seed}.yaml`
 * with the plain secrets in the `.secrets.json` next to it.
 */
export async function cachedGeneratedSite(dataDir: string, o: GenerateSiteOptions): Promise<LoadedSite & { cached: boolean }> {
  const dir = join(dataDir, 'sim-sites');
  const path = join(dir, `site-e${o.estates}-d${o.devices}-s${o.seed}.yaml`);
  const secretsPath = secretsPathFor(path);
  if (existsSync(path) && existsSync(secretsPath)) {
    return { ...loadSite(path), cached: true };
  }
  const g = generateSite(o);
  const site = await hashGeneratedSite(g);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${secretsPath}.tmp`, JSON.stringify(g.secrets));
  renameSync(`${secretsPath}.tmp`, secretsPath);
  writeFileSync(`${path}.tmp`, stringify(site, { lineWidth: 0 }));
  renameSync(`${path}.tmp`, path);
  return { path, site, devices: siteDevices(site, JSON.parse(readFileSync(secretsPath, 'utf8')) as Record<string, string>), cached: false };
}
