import type { HubServices } from '../services.ts';

/** A place a silence or a rule override names: one estate, building or device. */
export type PlaceScope = { estate?: string; building?: string; device?: string };

/** The grid each place lies in (null: an unknown place), for scoping silences and overrides. */
export async function placeGrids(hub: HubServices, places: readonly PlaceScope[]): Promise<(string | null)[]> {
  if (!places.length) return [];
  const tree = await hub.store.siteTree();
  const estateGrid = new Map<string, string>();
  const buildingGrid = new Map<string, string>();
  for (const c of tree.communities) for (const g of c.grids) for (const e of g.estates) {
    estateGrid.set(e.id, g.id);
    for (const b of e.buildings) buildingGrid.set(b.id, g.id);
  }
  const out: (string | null)[] = [];
  for (const { estate, building, device } of places) {
    const grid = device ? (await hub.store.deviceInfo(device))?.place.grid : building ? buildingGrid.get(building) : estate ? estateGrid.get(estate) : undefined;
    out.push(grid ?? null);
  }
  return out;
}
