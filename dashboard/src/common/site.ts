import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Warden } from '@gridhub/core';
import { api } from '../api.ts';

/** The site tree as GET /api/site serves it (store's SiteTree). */
export interface SiteUnit { id: string; name: string; buildingId: string; elevators: string[] }
export interface SiteBuilding { id: string; name: string; estateId: string; floors: number; x: number; y: number; w: number | null; h: number | null; units: SiteUnit[] }
export interface SiteEstate { id: string; name: string; gridId: string; widthM: number; heightM: number; buildings: SiteBuilding[]; deviceCounts: Record<string, number> }
export interface SiteGrid { id: string; name: string; communityId: string; wardens: Warden[]; estates: SiteEstate[] }
/** A community's or the street office's officer (社区干部, 街道干部); phone where the user may call them. */
export interface SiteOfficer { id: string; name: string; phone?: string; level: 'community' | 'street'; placeId: string }
export interface SiteTree {
  street: { id: string; name: string; controlRoomPhone?: string | null; officers?: SiteOfficer[] } | null;
  communities: { id: string; name: string; officers?: SiteOfficer[]; grids: SiteGrid[] }[];
}

let cached: Promise<SiteTree> | null = null;

/** The site, fetched once per page. */
export function useSite(): SiteTree | null {
  const [site, setSite] = useState<SiteTree | null>(null);
  useEffect(() => {
    cached ??= api<SiteTree>('/api/site').catch((err: unknown) => {
      cached = null;
      throw err;
    });
    let live = true;
    cached.then((s) => live && setSite(s), () => {});
    return () => {
      live = false;
    };
  }, []);
  return site;
}

export const gridsOf = (site: SiteTree | null): SiteGrid[] => site?.communities.flatMap((c) => c.grids) ?? [];
export const estatesOf = (site: SiteTree | null): SiteEstate[] => gridsOf(site).flatMap((g) => g.estates);
export const officersOf = (site: SiteTree | null): SiteOfficer[] => [...(site?.street?.officers ?? []), ...(site?.communities.flatMap((c) => c.officers ?? []) ?? [])];

/** Every grid, estate, building and unit name by id. */
export function nameIndex(site: SiteTree | null): Map<string, string> {
  const names = new Map<string, string>();
  if (site?.street) names.set(site.street.id, site.street.name);
  for (const c of site?.communities ?? []) names.set(c.id, c.name);
  for (const o of officersOf(site)) names.set(o.id, o.name);
  for (const g of gridsOf(site)) {
    names.set(g.id, g.name);
    for (const w of g.wardens) names.set(w.id, w.name);
    for (const e of g.estates) {
      names.set(e.id, e.name);
      for (const b of e.buildings) {
        names.set(b.id, b.name);
        for (const u of b.units) names.set(u.id, u.name);
      }
    }
  }
  return names;
}

/** A place as people say it ("枫林苑 / 1号楼 / 1单元"), from ids; an id not in the site shows as is. */
export function usePlaceText(): (...ids: (string | null | undefined)[]) => string {
  const site = useSite();
  const names = useMemo(() => nameIndex(site), [site]);
  return useCallback((...ids) => ids.filter((id): id is string => !!id).map((id) => names.get(id) ?? id).join(' / '), [names]);
}

/** A warden as the screens name them: "张伟（澜溪一网格）" where two wardens share a name. */
export interface Person extends Warden {
  gridName: string;
  /** The name, with the grid's name where another warden has the same name. */
  label: string;
}

export function peopleIndex(site: SiteTree | null): Map<string, Person> {
  const all = gridsOf(site).flatMap((g) => g.wardens.map((w) => ({ ...w, gridName: g.name })));
  const count = new Map<string, number>();
  for (const w of all) count.set(w.name, (count.get(w.name) ?? 0) + 1);
  return new Map(all.map((w) => [w.id, { ...w, label: (count.get(w.name) ?? 0) > 1 ? `${w.name}（${w.gridName}）` : w.name }]));
}

/** The people of the site by id, and a namer for any actor id (a warden, an officer, `system`, a user). */
export function usePeople(): { people: Map<string, Person>; nameOf(id: string | null | undefined): string } {
  const site = useSite();
  const people = useMemo(() => peopleIndex(site), [site]);
  const officers = useMemo(() => new Map(officersOf(site).map((o) => [o.id, o.name])), [site]);
  const nameOf = useCallback((id: string | null | undefined) => (id ? (people.get(id)?.label ?? officers.get(id) ?? id) : '—'), [people, officers]);
  return { people, nameOf };
}
