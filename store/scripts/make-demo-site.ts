/**
 * Writes store/demo/demo-site.yaml: a fictional subdistrict (澜溪街道) with one community, two
 * grids, three estates, twelve buildings and about 300 devices. Deterministic (seeded): running it
 * again gives the same site except for the scrypt salts. Demo device secrets are
 * `demoDeviceSecret(id) = 'demo-' + id`; the file holds only their hashes.
 *   npx tsx store/scripts/make-demo-site.ts
 */
import { writeFileSync } from 'node:fs';
import { hashSecret, type SiteFile, type SiteDeviceEntry } from '@gridhub/core';
import { Document, isMap, isSeq, visit } from 'yaml';
import { DEMO_SITE_PATH, demoDeviceSecret } from '../src/demo.ts';

/** mulberry32: a small seeded PRNG, so the demo is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20250601);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗'];
const GIVEN = ['建华', '秀英', '海燕', '志强', '丽娟', '国庆', '晓东', '玉兰', '春梅', '立新', '红霞', '文杰', '桂芳', '德明', '淑珍', '振宇', '雪梅', '永刚'];

interface EstatePlan { code: string; name: string; buildings: number; bins: number; manholes: number }
const GRIDS: { id: string; name: string; estates: EstatePlan[] }[] = [
  {
    id: 'g-lx-01',
    name: '澜溪社区第一网格',
    estates: [
      { code: 'hy', name: '和悦园', buildings: 5, bins: 8, manholes: 5 },
      { code: 'fl', name: '枫林苑', buildings: 4, bins: 7, manholes: 4 },
    ],
  },
  { id: 'g-lx-02', name: '澜溪社区第二网格', estates: [{ code: 'jg', name: '金桂坊', buildings: 3, bins: 6, manholes: 4 }] },
];

const BUILDING_W = 36;
const BUILDING_H = 14;
const MARGIN = 12;

type Rect = { x: number; y: number; w: number; h: number };
const inside = (x: number, y: number, r: Rect, pad = 3) => x >= r.x - pad && x <= r.x + r.w + pad && y >= r.y - pad && y <= r.y + r.h + pad;

function installed(): string {
  return `${pick([2023, 2024])}-${pad(int(1, 12))}-${pad(int(1, 28))}`;
}

/** A point in the grounds: inside the plan, clear of every building. */
function groundPoint(widthM: number, heightM: number, rects: Rect[]): { x: number; y: number } {
  for (;;) {
    const x = Math.round((4 + rand() * (widthM - 8)) * 10) / 10;
    const y = Math.round((4 + rand() * (heightM - 8)) * 10) / 10;
    if (!rects.some((r) => inside(x, y, r))) return { x, y };
  }
}

let phone = 0;
/** One grid leader (网格长), two full-time (专职) and four part-time (兼职) wardens per grid. */
function wardens(gridId: string) {
  const roles = ['grid_leader', 'full_time', 'full_time', 'part_time', 'part_time', 'part_time', 'part_time'] as const;
  return roles.map((role, i) => ({
    id: `${gridId.replace(/^g-/, 'w-')}-${pad(i + 1)}`,
    name: pick(SURNAMES) + pick(GIVEN),
    phone: `138 0000 ${pad(++phone, 4)}`,
    role,
  }));
}

async function estate(p: EstatePlan) {
  const perRow = 3;
  const rows = Math.ceil(p.buildings / perRow);
  const widthM = MARGIN * 2 + perRow * BUILDING_W + (perRow - 1) * 24;
  const heightM = MARGIN * 2 + rows * BUILDING_H + (rows - 1) * 30 + 30;
  const rects: Rect[] = [];
  const buildings = [];
  const devices: SiteDeviceEntry[] = [];
  for (let b = 1; b <= p.buildings; b++) {
    const id = `${p.code}-b${pad(b)}`;
    const floors = pick([6, 7, 8, 9, 11]);
    const x = MARGIN + ((b - 1) % perRow) * (BUILDING_W + 24);
    const y = MARGIN + Math.floor((b - 1) / perRow) * (BUILDING_H + 30);
    rects.push({ x, y, w: BUILDING_W, h: BUILDING_H });
    const units = [];
    for (let u = 1; u <= int(2, 3); u++) {
      const unitId = `${id}-u${u}`;
      const elevator = `${unitId}-e1`;
      units.push({ id: unitId, name: `${u}单元`, elevators: [elevator] });
      for (let f = 1; f <= floors; f++) {
        devices.push({ id: `smk-${unitId}-f${pad(f)}`, kind: 'smoke', name: `${b}号楼${u}单元${f}层楼道烟感`, building: id, unit: unitId, floor: f, installed: installed() });
      }
      devices.push({ id: `eb-${unitId}`, kind: 'ebike', name: `${b}号楼${u}单元电梯摄像头`, building: id, unit: unitId, elevator, installed: installed() });
    }
    buildings.push({ id, name: `${b}号楼`, floors, position: { x, y }, size: { w: BUILDING_W, h: BUILDING_H }, units });
  }
  for (let i = 1; i <= p.bins; i++) {
    devices.push({
      id: `bin-${p.code}-${pad(i)}`, kind: 'bin', name: `垃圾桶${pad(i)}`, position: groundPoint(widthM, heightM, rects),
      installed: installed(), bin_depth_mm: pick([1000, 1100, 1200]), sensor_offset_mm: pick([50, 80, 100]),
    });
  }
  for (let i = 1; i <= p.manholes; i++) {
    devices.push({ id: `mh-${p.code}-${pad(i)}`, kind: 'manhole', name: `井盖${pad(i)}`, position: groundPoint(widthM, heightM, rects), installed: installed() });
  }
  const hashed = await Promise.all(devices.map(async (d) => ({ ...d, secret_hash: await hashSecret(demoDeviceSecret(d.id)) })));
  return { id: `e-${p.code}`, name: p.name, plan: { width_m: widthM, height_m: heightM }, buildings, devices: hashed };
}

/** The community's officers (社区干部) and the street office's (街道干部): fixed, so the wardens' draws stay as they were. */
const COMMUNITY_OFFICERS = [
  { id: 'co-lanxi-01', name: '陈建国', phone: '139 0000 0001' },
  { id: 'co-lanxi-02', name: '刘芳', phone: '139 0000 0002' },
];
const STREET_OFFICERS = [{ id: 'so-lanxi-01', name: '孙立军', phone: '139 0000 0101' }];

export async function buildDemoSite(): Promise<SiteFile> {
  const grids = [];
  for (const g of GRIDS) {
    const estates = [];
    for (const e of g.estates) estates.push(await estate(e));
    grids.push({ id: g.id, name: g.name, estates, wardens: wardens(g.id) });
  }
  return {
    version: 1,
    street: { id: 'st-lanxi', name: '澜溪街道', control_room: { phone: '+86-571-8888-0000' }, officers: STREET_OFFICERS },
    communities: [{ id: 'c-lanxi', name: '澜溪社区', officers: COMMUNITY_OFFICERS, grids }],
  };
}

const HEADER = ` GridHub demo site: a FICTIONAL subdistrict (街道). Generated by store/scripts/make-demo-site.ts;
 do not edit by hand. Every demo device's secret is 'demo-' + its id (demoDeviceSecret in
 @gridhub/store); only scrypt hashes are stored here. Names and phone numbers are made up.`;

const site = await buildDemoSite();
const doc = new Document(site);
doc.commentBefore = HEADER;
visit(doc, {
  Map(_, node) {
    if (node.items.length <= 2 && node.items.every((p) => !isMap(p.value) && !isSeq(p.value))) node.flow = true;
  },
  Seq(_, node) {
    if (node.items.every((i) => !isMap(i))) node.flow = true;
  },
});
writeFileSync(DEMO_SITE_PATH, doc.toString({ lineWidth: 0 }));
process.stdout.write(`wrote ${DEMO_SITE_PATH}\n`);
