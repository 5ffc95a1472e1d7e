import type { Device } from '@gridhub/core';
import type { SiteBuilding, SiteEstate } from '../common/site.ts';

export interface PlanRect { id: string; name: string; x: number; y: number; w: number; h: number; units: { id: string; name: string; x: number; w: number }[] }
export interface PlanPoint { id: string; x: number; y: number }

const DEFAULT_SIZE = { w: 30, h: 14 };

/** A building's footprint on the estate plan (metres), split into its units west to east. */
export function buildingRect(b: SiteBuilding): PlanRect {
  const w = b.w ?? DEFAULT_SIZE.w;
  const h = b.h ?? DEFAULT_SIZE.h;
  const uw = w / Math.max(1, b.units.length);
  return { id: b.id, name: b.name, x: b.x, y: b.y, w, h, units: b.units.map((u, i) => ({ id: u.id, name: u.name, x: b.x + i * uw, w: uw })) };
}

/**
 * Where each device is drawn: its own position when it has one (bins, manholes); indoor devices
 * inside their unit, higher floors nearer the top of the footprint, spread sideways so devices
 * of one unit do not overlap. Pure: (estate, devices) -> points.
 */
export function placeDevices(estate: SiteEstate, devices: readonly Device[]): PlanPoint[] {
  const rects = new Map(estate.buildings.map((b) => [b.id, { rect: buildingRect(b), floors: b.floors }]));
  const perUnit = new Map<string, number>();
  const points: PlanPoint[] = [];
  for (const d of devices) {
    if (d.x !== null && d.y !== null) {
      points.push({ id: d.id, x: d.x, y: d.y });
      continue;
    }
    const b = d.buildingId ? rects.get(d.buildingId) : undefined;
    if (!b) continue;
    const unit = b.rect.units.find((u) => u.id === d.unitId) ?? { x: b.rect.x, w: b.rect.w, id: `${b.rect.id}:?` };
    const slot = perUnit.get(unit.id) ?? 0;
    perUnit.set(unit.id, slot + 1);
    const floorFrac = d.floor !== null ? Math.min(1, Math.max(0, (d.floor - 0.5) / Math.max(1, b.floors))) : 0.5;
    const cols = 4;
    points.push({
      id: d.id,
      x: unit.x + ((slot % cols) + 0.5) * (unit.w / cols),
      y: b.rect.y + b.rect.h * (1 - floorFrac) * 0.8 + b.rect.h * 0.1,
    });
  }
  return points;
}
