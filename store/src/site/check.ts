import { isSecretHash, type SiteDeviceEntry, type SiteFile } from '@gridhub/core';

export interface SiteProblem {
  path: string;
  reason: string;
}

type SiteEstate = SiteFile['communities'][number]['grids'][number]['estates'][number];

interface EstateIndex {
  buildings: Map<string, { floors: number; units: Set<string>; elevators: Set<string> }>;
  /** unit id -> its building id */
  unitBuilding: Map<string, string>;
  /** elevator id -> its unit id */
  elevatorUnit: Map<string, string>;
}

function indexEstate(estate: SiteEstate): EstateIndex {
  const idx: EstateIndex = { buildings: new Map(), unitBuilding: new Map(), elevatorUnit: new Map() };
  for (const b of estate.buildings) {
    const entry = { floors: b.floors, units: new Set<string>(), elevators: new Set<string>() };
    idx.buildings.set(b.id, entry);
    for (const u of b.units) {
      entry.units.add(u.id);
      idx.unitBuilding.set(u.id, b.id);
      for (const e of u.elevators ?? []) {
        entry.elevators.add(e);
        idx.elevatorUnit.set(e, u.id);
      }
    }
  }
  return idx;
}

/** Where a device's building, unit and elevator must be found, and what its kind requires. */
function checkDevice(d: SiteDeviceEntry, estate: SiteEstate, idx: EstateIndex, at: string, out: SiteProblem[]): void {
  const bad = (field: string, reason: string) => out.push({ path: `${at}.${field}`, reason });
  if ((d.secret === undefined) === (d.secret_hash === undefined)) bad('secret', 'exactly one of secret or secret_hash is required');
  else if (d.secret_hash !== undefined && !isSecretHash(d.secret_hash)) bad('secret_hash', 'not a scrypt$N$r$p$salt$hash string');

  const building = d.building === undefined ? undefined : idx.buildings.get(d.building);
  if (d.building !== undefined && !building) bad('building', `building ${d.building} is not in estate ${estate.id}`);
  if (d.unit !== undefined) {
    const owner = idx.unitBuilding.get(d.unit);
    if (owner === undefined) bad('unit', `unit ${d.unit} is not in estate ${estate.id}`);
    else if (d.building === undefined) bad('building', `a device in unit ${d.unit} needs its building (${owner})`);
    else if (building && owner !== d.building) bad('unit', `unit ${d.unit} belongs to building ${owner}, not ${d.building}`);
  }
  if (d.elevator !== undefined) {
    const unit = idx.elevatorUnit.get(d.elevator);
    if (unit === undefined) bad('elevator', `elevator ${d.elevator} is not in estate ${estate.id}`);
    else if (d.unit !== undefined && unit !== d.unit) bad('elevator', `elevator ${d.elevator} belongs to unit ${unit}, not ${d.unit}`);
    else if (building && !building.elevators.has(d.elevator)) bad('elevator', `elevator ${d.elevator} is not in building ${d.building}`);
  }
  if (d.floor !== undefined && building && d.floor > building.floors) {
    bad('floor', `floor ${d.floor} is above the building's ${building.floors} floors`);
  }

  if ((d.kind === 'smoke' || d.kind === 'ebike') && d.building === undefined) bad('building', `a ${d.kind} device needs a building`);
  if (d.kind === 'ebike' && d.elevator === undefined) bad('elevator', 'an ebike camera needs an elevator');
  if (d.kind === 'bin' || d.kind === 'manhole') {
    if (!d.position) bad('position', `a ${d.kind} needs a position in the estate's grounds`);
    else if (d.position.x > estate.plan.width_m || d.position.y > estate.plan.height_m) {
      bad('position', `(${d.position.x}, ${d.position.y}) is outside the estate plan ${estate.plan.width_m} x ${estate.plan.height_m} m`);
    }
  }
  if (d.kind === 'bin' && d.bin_depth_mm === undefined) bad('bin_depth_mm', 'a bin needs bin_depth_mm');
  if (d.network_app !== undefined && d.dev_eui === undefined && d.imei === undefined && d.platform_device_id === undefined) {
    bad('network_app', 'network_app binds a device behind a network: it needs dev_eui, imei or platform_device_id');
  }
}

/**
 * Referential checks of a site that already matches SiteFileSchema. Returns EVERY problem:
 * ids unique across the whole site (one namespace for every entity, elevators included);
 * a device's building, unit and elevator exist in its estate and agree with each other; a
 * device kind's required placement (smoke: building; ebike: building + elevator; bin and
 * manhole: a position inside the estate plan; bin: bin_depth_mm); exactly one secret form.
 */
export function checkReferences(site: SiteFile): SiteProblem[] {
  const out: SiteProblem[] = [];
  const firstSeen = new Map<string, string>();
  const claim = (id: string, path: string) => {
    const prev = firstSeen.get(id);
    if (prev !== undefined) out.push({ path, reason: `id ${id} is already used at ${prev}` });
    else firstSeen.set(id, path);
  };
  const identities = new Map<string, string>();
  const claimIdentity = (key: string, path: string) => {
    const prev = identities.get(key);
    if (prev !== undefined) out.push({ path, reason: `${key} is already used at ${prev}` });
    else identities.set(key, path);
  };
  claim(site.street.id, 'street.id');
  (site.street.officers ?? []).forEach((o, oi) => claim(o.id, `street.officers[${oi}].id`));
  site.communities.forEach((c, ci) => {
    const cp = `communities[${ci}]`;
    claim(c.id, `${cp}.id`);
    (c.officers ?? []).forEach((o, oi) => claim(o.id, `${cp}.officers[${oi}].id`));
    c.grids.forEach((g, gi) => {
      const gp = `${cp}.grids[${gi}]`;
      claim(g.id, `${gp}.id`);
      g.wardens.forEach((w, wi) => claim(w.id, `${gp}.wardens[${wi}].id`));
      g.estates.forEach((e, ei) => {
        const ep = `${gp}.estates[${ei}]`;
        claim(e.id, `${ep}.id`);
        e.buildings.forEach((b, bi) => {
          const bp = `${ep}.buildings[${bi}]`;
          claim(b.id, `${bp}.id`);
          if (b.position.x > e.plan.width_m || b.position.y > e.plan.height_m) {
            out.push({ path: `${bp}.position`, reason: `(${b.position.x}, ${b.position.y}) is outside the estate plan` });
          }
          b.units.forEach((u, ui) => {
            claim(u.id, `${bp}.units[${ui}].id`);
            (u.elevators ?? []).forEach((el, li) => claim(el, `${bp}.units[${ui}].elevators[${li}]`));
          });
        });
        const idx = indexEstate(e);
        e.devices.forEach((d, di) => {
          const dp = `${ep}.devices[${di}]`;
          claim(d.id, `${dp}.id`);
          checkDevice(d, e, idx, dp, out);
          // a network identity names one device: the hub looks devices up by it
          if (d.dev_eui !== undefined) claimIdentity(`dev_eui ${d.dev_eui.toLowerCase()}`, `${dp}.dev_eui`);
          if (d.imei !== undefined) claimIdentity(`imei ${d.imei}`, `${dp}.imei`);
          if (d.platform_device_id !== undefined) claimIdentity(`platform_device_id ${d.platform_device_id}`, `${dp}.platform_device_id`);
        });
      });
    });
  });
  return out;
}
