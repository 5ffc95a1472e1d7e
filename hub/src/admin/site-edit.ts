import type { SiteFile } from '@gridhub/core';
import { HubError } from '@gridhub/core';

type Community = SiteFile['communities'][number];
type Grid = Community['grids'][number];
type Estate = Grid['estates'][number];
type Building = Estate['buildings'][number];
type Unit = Building['units'][number];
type Device = Estate['devices'][number];
type Warden = Grid['wardens'][number];

export const SITE_LEVELS = ['community', 'grid', 'estate', 'building', 'unit', 'device', 'warden'] as const;
export type SiteLevel = (typeof SITE_LEVELS)[number];

/** One edit of the site tree (街道 → 社区 → 网格 → 小区 → 楼栋 → 单元; devices in an estate, wardens in a grid). */
export type SiteOp =
  | { op: 'add'; level: SiteLevel; parent: string; node: Record<string, unknown> }
  | { op: 'rename'; id: string; name: string }
  | { op: 'move'; id: string; parent?: string; position?: { x: number; y: number } }
  | { op: 'update'; id: string; patch: Record<string, unknown> }
  | { op: 'retire'; id: string }
  | { op: 'restore'; id: string }
  /** Internal (replacing a device from an import): the node leaves the file. Not offered by the API. */
  | { op: 'remove'; id: string };

/** Who makes the edits and when: what a retirement records. */
export interface SiteEditor {
  by: string;
  nowMs: number;
}

type Node = Found['node'] & { retired?: { at: string; by: string } };
const active = (n: Record<string, unknown>) => n.retired === undefined;

/** The active nodes under one (a building's and a unit's devices live in the estate's list). */
function activeChildren(f: Found, idx: Map<string, Found>): string[] {
  const n = f.node as Record<string, unknown>;
  const lists = ['communities', 'grids', 'estates', 'wardens', 'buildings', 'units', 'devices'].flatMap((k) => (Array.isArray(n[k]) ? (n[k] as Node[]) : []));
  const out = lists.filter(active).map((c) => c.id);
  if (f.level === 'building' || f.level === 'unit') {
    const estate = idx.get(f.level === 'unit' ? (idx.get(f.parentId!)?.parentId ?? '') : f.parentId!);
    const key = f.level === 'building' ? 'building' : 'unit';
    for (const d of ((estate?.node as { devices?: Node[] } | undefined)?.devices ?? [])) if (d[key] === f.node.id && active(d)) out.push(d.id);
  }
  return out;
}

interface Found {
  level: SiteLevel | 'street';
  node: { id: string; name?: string } & Record<string, unknown>;
  /** The array holding it (absent for the street). */
  list?: { id: string }[];
  parentId?: string;
}

/** Every node of the site by id, with the array that holds it. */
function index(site: SiteFile): Map<string, Found> {
  const m = new Map<string, Found>();
  m.set(site.street.id, { level: 'street', node: site.street as Found['node'] });
  for (const c of site.communities) {
    m.set(c.id, { level: 'community', node: c as unknown as Found['node'], list: site.communities, parentId: site.street.id });
    for (const g of c.grids) {
      m.set(g.id, { level: 'grid', node: g as unknown as Found['node'], list: c.grids, parentId: c.id });
      for (const w of g.wardens) m.set(w.id, { level: 'warden', node: w as unknown as Found['node'], list: g.wardens, parentId: g.id });
      for (const e of g.estates) {
        m.set(e.id, { level: 'estate', node: e as unknown as Found['node'], list: g.estates, parentId: g.id });
        for (const b of e.buildings) {
          m.set(b.id, { level: 'building', node: b as unknown as Found['node'], list: e.buildings, parentId: e.id });
          for (const u of b.units) m.set(u.id, { level: 'unit', node: u as unknown as Found['node'], list: b.units, parentId: b.id });
        }
        for (const d of e.devices) m.set(d.id, { level: 'device', node: d as unknown as Found['node'], list: e.devices, parentId: e.id });
      }
    }
  }
  return m;
}

/** Which level a node of each level hangs under. */
const PARENT_LEVEL: Record<SiteLevel, Found['level']> = { community: 'street', grid: 'community', estate: 'grid', building: 'estate', unit: 'building', device: 'estate', warden: 'grid' };

function childList(parent: Found, level: SiteLevel): { id: string }[] {
  const n = parent.node as unknown as Record<string, unknown>;
  const key = level === 'community' ? 'communities' : level === 'grid' ? 'grids' : level === 'estate' ? 'estates' : level === 'building' ? 'buildings' : level === 'unit' ? 'units' : level === 'device' ? 'devices' : 'wardens';
  if (parent.level === 'street') return (n as unknown as { communities: Community[] }).communities ?? [];
  return n[key] as { id: string }[];
}

const EMPTY_CHILDREN: Partial<Record<SiteLevel, Record<string, unknown>>> = {
  community: { grids: [] },
  grid: { estates: [], wardens: [] },
  estate: { buildings: [], devices: [] },
  building: { units: [] },
};

const bad = (reason: string) => new HubError('HUB_ERR_VALIDATION', [reason]);

/**
 * Pure: the site after these edits (a deep copy; the input is untouched). Structural mistakes (no
 * such node, a parent of the wrong level) are refused here; everything else — ids unique, a
 * device's building and unit in its estate, positions inside the plan — by the site's own
 * validation (store/src/site/check.ts) when the result is previewed or applied.
 */
export function applySiteOps(input: SiteFile, ops: readonly SiteOp[], editor: SiteEditor): SiteFile {
  const site = structuredClone(input) as SiteFile;
  // a site with no street yet gets one from the first community's parent id
  for (const op of ops) {
    const idx = index(site);
    if (op.op === 'add') {
      const parent = idx.get(op.parent);
      if (!parent) throw bad(`no ${PARENT_LEVEL[op.level]} ${op.parent}`);
      if (parent.level !== PARENT_LEVEL[op.level]) throw bad(`a ${op.level} goes under a ${PARENT_LEVEL[op.level]}, ${op.parent} is a ${parent.level}`);
      if (!active(parent.node)) throw new HubError('HUB_ERR_SITE_RETIRED', [op.parent, 'restore it before adding to it']);
      const node = { ...(EMPTY_CHILDREN[op.level] ?? {}), ...op.node };
      if (parent.level === 'street') site.communities.push(node as unknown as Community);
      else childList(parent, op.level).push(node as unknown as { id: string });
      continue;
    }
    const found = idx.get(op.id);
    if (!found) throw bad(`no site node ${op.id}`);
    if (op.op === 'rename') {
      found.node.name = op.name;
    } else if (op.op === 'update') {
      if (found.level !== 'device' && found.level !== 'warden' && found.level !== 'building' && found.level !== 'estate' && found.level !== 'unit') throw bad(`${op.id}: only estates, buildings, units, devices and wardens take field updates`);
      for (const [k, v] of Object.entries(op.patch)) {
        if (k === 'id' || k === 'buildings' || k === 'devices' || k === 'units') throw bad(`${op.id}: ${k} cannot be updated`);
        if (v === null) delete found.node[k];
        else found.node[k] = v;
      }
    } else if (op.op === 'retire') {
      // Retire is a state (撤销): the node stays with its history; its active children go first.
      if (found.level === 'street') throw bad('the street office cannot be retired');
      if (!active(found.node)) continue;
      const children = activeChildren(found, idx);
      if (children.length) throw new HubError('HUB_ERR_SITE_RETIRE_ACTIVE', [op.id, children.slice(0, 5).join(', ') + (children.length > 5 ? ` and ${children.length - 5} more` : '')]);
      found.node.retired = { at: new Date(editor.nowMs).toISOString(), by: editor.by };
    } else if (op.op === 'restore') {
      const parent = found.parentId ? idx.get(found.parentId) : undefined;
      if (parent && !active(parent.node)) throw new HubError('HUB_ERR_SITE_RETIRED', [parent.node.id, `restore it before ${op.id}`]);
      delete found.node.retired;
    } else if (op.op === 'remove') {
      if (found.level === 'street') throw bad('the street office cannot be removed');
      const list = found.list!;
      list.splice(list.findIndex((n) => n.id === op.id), 1);
    } else if (op.op === 'move') {
      if (op.position) {
        if (found.level !== 'building' && found.level !== 'device') throw bad(`${op.id}: only buildings and devices have a position`);
        found.node.position = { x: op.position.x, y: op.position.y };
      }
      if (op.parent !== undefined && op.parent !== found.parentId) {
        if (found.level === 'street') throw bad('the street office has no parent');
        const to = idx.get(op.parent);
        if (!to) throw bad(`no site node ${op.parent}`);
        if (to.level !== PARENT_LEVEL[found.level]) throw bad(`a ${found.level} goes under a ${PARENT_LEVEL[found.level]}, ${op.parent} is a ${to.level}`);
        const list = found.list!;
        list.splice(list.findIndex((n) => n.id === op.id), 1);
        childList(to, found.level).push(found.node);
      }
    }
  }
  return site;
}

export interface SiteChange {
  level: SiteLevel | 'street';
  id: string;
  change: 'added' | 'removed' | 'changed';
  /** For a change: which fields differ (position, name, parent, ...). */
  fields?: string[];
}

/** Pure: what importing `next` over `current` would change, node by node (children not repeated inside a node's fields). */
export function diffSites(current: SiteFile | null, next: SiteFile): SiteChange[] {
  const a = current ? index(current) : new Map<string, Found>();
  const b = index(next);
  const own = (f: Found) => {
    const { grids, estates, wardens, buildings, devices, units, communities, ...rest } = f.node as Record<string, unknown>;
    void grids; void estates; void wardens; void buildings; void devices; void units; void communities;
    return { ...rest, parent: f.parentId ?? null } as Record<string, unknown>;
  };
  const out: SiteChange[] = [];
  for (const [id, f] of b) {
    const before = a.get(id);
    if (!before) {
      out.push({ level: f.level, id, change: 'added' });
      continue;
    }
    const x = own(before);
    const y = own(f);
    const fields = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).sort();
    if (before.level !== f.level) fields.push('level');
    if (fields.length) out.push({ level: f.level, id, change: 'changed', fields });
  }
  for (const [id, f] of a) if (!b.has(id)) out.push({ level: f.level, id, change: 'removed' });
  return out;
}

export type { Building, Device, Estate, Grid, Unit, Warden };
