import type ExcelJS from 'exceljs';
import { excel } from './excel.ts';
import { HubError, type SiteFile } from '@gridhub/core';
import { validateSite, type SiteProblem } from '@gridhub/store';
import type { Device, Estate } from './site-edit.ts';

/**
 * The site as an Excel workbook (exceljs): one sheet per level, one row per node, its parent by id.
 * Reading one back gives the nested site file; each problem names its sheet and row, the site's
 * own validation (store/src/site/check.ts) mapped back to the row it came from.
 */
const SHEETS = {
  street: ['id', 'name'],
  grids: ['community_id', 'community_name', 'id', 'name', 'retired_at', 'retired_by'],
  estates: ['grid_id', 'id', 'name', 'width_m', 'height_m', 'retired_at', 'retired_by'],
  buildings: ['estate_id', 'id', 'name', 'floors', 'x', 'y', 'w', 'h', 'retired_at', 'retired_by'],
  units: ['building_id', 'id', 'name', 'elevators', 'retired_at', 'retired_by'],
  devices: ['estate_id', 'id', 'kind', 'name', 'building', 'unit', 'floor', 'elevator', 'x', 'y', 'installed', 'bin_depth_mm', 'sensor_offset_mm', 'model', 'dev_eui', 'network_app', 'imei', 'platform_device_id', 'secret_hash', 'secret', 'retired_at', 'retired_by'],
  wardens: ['grid_id', 'id', 'name', 'phone', 'role', 'retired_at', 'retired_by'],
} as const;
type SheetName = keyof typeof SHEETS;
type Cell = string | number | null;

export interface RowProblem extends SiteProblem {
  sheet?: string;
  row?: number;
}

/** A node's retired state (撤销) as its last two cells; back from them on import. (A retired community is kept in YAML only.) */
const retiredCells = (n: { retired?: { at: string; by: string } }): Cell[] => [n.retired?.at ?? null, n.retired?.by ?? null];
const retiredFrom = (r: SheetRow) => {
  const at = str(r, 'retired_at');
  return at === undefined ? {} : { retired: { at, by: str(r, 'retired_by') ?? 'unknown' } };
};

export async function siteToXlsx(site: SiteFile): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  wb.creator = 'GridHub';
  const rows: Record<SheetName, Cell[][]> = { street: [[site.street.id, site.street.name]], grids: [], estates: [], buildings: [], units: [], devices: [], wardens: [] };
  for (const c of site.communities) {
    if (!c.grids.length) rows.grids.push([c.id, c.name, null, null, null, null]);
    for (const g of c.grids) {
      rows.grids.push([c.id, c.name, g.id, g.name, ...retiredCells(g)]);
      for (const w of g.wardens) rows.wardens.push([g.id, w.id, w.name, w.phone, w.role, ...retiredCells(w)]);
      for (const e of g.estates) {
        rows.estates.push([g.id, e.id, e.name, e.plan.width_m, e.plan.height_m, ...retiredCells(e)]);
        for (const b of e.buildings) {
          rows.buildings.push([e.id, b.id, b.name, b.floors, b.position.x, b.position.y, b.size?.w ?? null, b.size?.h ?? null, ...retiredCells(b)]);
          for (const u of b.units) rows.units.push([b.id, u.id, u.name, (u.elevators ?? []).join(',') || null, ...retiredCells(u)]);
        }
        for (const d of e.devices) rows.devices.push(deviceRow(e, d));
      }
    }
  }
  for (const name of Object.keys(SHEETS) as SheetName[]) {
    const ws = wb.addWorksheet(name);
    ws.addRow([...SHEETS[name]]);
    ws.getRow(1).font = { bold: true };
    for (const r of rows[name]) ws.addRow(r);
    ws.columns.forEach((col) => (col.width = 16));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function deviceRow(e: Estate, d: Device): Cell[] {
  return [e.id, d.id, d.kind, d.name ?? null, d.building ?? null, d.unit ?? null, d.floor ?? null, d.elevator ?? null, d.position?.x ?? null, d.position?.y ?? null, d.installed ?? null, d.bin_depth_mm ?? null, d.sensor_offset_mm ?? null, d.model ?? null, d.dev_eui ?? null, d.network_app ?? null, d.imei ?? null, d.platform_device_id ?? null, d.secret_hash ?? null, d.secret ?? null, ...retiredCells(d)];
}

function cellValue(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number' || typeof v === 'string') return typeof v === 'string' ? v.trim() || null : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object' && 'text' in v) return String((v as { text: unknown }).text);
  if (typeof v === 'object' && 'result' in v) return cellValue((v as { result: ExcelJS.CellValue }).result);
  if (typeof v === 'object' && 'richText' in v) return (v as { richText: { text: string }[] }).richText.map((t) => t.text).join('');
  return String(v);
}

/** A sheet's rows as objects keyed by its header, with their 1-based row numbers. */
export type SheetRow = { row: number; v: Record<string, Cell> };

/** Numbers where the site file wants numbers: a text that is no number is a problem of its row. */
function num(r: SheetRow, key: string, sheet: string, out: RowProblem[], required: boolean): number | undefined {
  const v = r.v[key];
  if (v === null || v === undefined) {
    if (required) out.push({ sheet, row: r.row, path: `${sheet}!${r.row}.${key}`, reason: `${key} is required` });
    return undefined;
  }
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) {
    out.push({ sheet, row: r.row, path: `${sheet}!${r.row}.${key}`, reason: `${key} ${JSON.stringify(v)} is not a number` });
    return undefined;
  }
  return n;
}
const str = (r: SheetRow, key: string) => (r.v[key] === null || r.v[key] === undefined ? undefined : String(r.v[key]));

/** Pure: device rows (a devices sheet, or a CSV with its header) as site device entries by estate. */
export function devicesFromRows(rows: readonly SheetRow[], sheet: string, out: RowProblem[], origin: (d: Device, estateId: string, row: number) => void): Map<string, Device[]> {
  const byEstate = new Map<string, Device[]>();
  for (const r of rows) {
    const estate = str(r, 'estate_id');
    if (!estate) {
      out.push({ sheet, row: r.row, path: `${sheet}!${r.row}.estate_id`, reason: 'estate_id is required' });
      continue;
    }
    const x = num(r, 'x', sheet, out, false);
    const y = num(r, 'y', sheet, out, false);
    const entries: [string, unknown][] = [
      ['id', str(r, 'id')], ['kind', str(r, 'kind')], ['name', str(r, 'name')], ['building', str(r, 'building')], ['unit', str(r, 'unit')],
      ['floor', num(r, 'floor', sheet, out, false)], ['elevator', str(r, 'elevator')], ['position', x !== undefined && y !== undefined ? { x, y } : undefined],
      ['installed', str(r, 'installed')], ['bin_depth_mm', num(r, 'bin_depth_mm', sheet, out, false)], ['sensor_offset_mm', num(r, 'sensor_offset_mm', sheet, out, false)],
      ['model', str(r, 'model')], ['dev_eui', str(r, 'dev_eui')], ['network_app', str(r, 'network_app')], ['imei', str(r, 'imei')], ['platform_device_id', str(r, 'platform_device_id')],
      ['secret_hash', str(r, 'secret_hash')], ['secret', str(r, 'secret')], ['retired', retiredFrom(r).retired],
    ];
    const d = Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as unknown as Device;
    byEstate.set(estate, [...(byEstate.get(estate) ?? []), d]);
    origin(d, estate, r.row);
  }
  return byEstate;
}

/** Pure: CSV text (RFC 4180: quotes, doubled quotes, CRLF or LF) as rows keyed by its header. */
export function csvRows(text: string): SheetRow[] {
  const records: string[][] = [];
  let field = '';
  let rec: string[] = [];
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') rec.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      rec.push(field);
      records.push(rec);
      (rec = []), (field = '');
    } else field += ch;
  }
  if (field !== '' || rec.length) rec.push(field), records.push(rec);
  const [head, ...body] = records;
  if (!head) return [];
  const keys = head.map((h) => h.trim());
  return body
    .map((cells, i) => ({ row: i + 2, v: Object.fromEntries(keys.map((k, j) => [k, cells[j]?.trim() ? cells[j]!.trim() : null])) }))
    .filter((r) => Object.values(r.v).some((v) => v !== null));
}

async function loadWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new (await excel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new HubError('HUB_ERR_SITE_INVALID', [`not an Excel workbook (.xlsx): ${err instanceof Error ? err.message : String(err)}`], [{ path: 'workbook', reason: 'not an .xlsx file' }]);
  }
  return wb;
}

/** A worksheet's rows keyed by its header row (row 1), empty rows left out. */
function readSheet(ws: ExcelJS.Worksheet): SheetRow[] {
  const head = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => String(cellValue(v) ?? ''));
  const rows: SheetRow[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const vals = (row.values as ExcelJS.CellValue[]).slice(1);
    const v = Object.fromEntries(head.map((k, i) => [k, cellValue(vals[i])]));
    if (Object.values(v).some((x) => x !== null)) rows.push({ row: n, v });
  });
  return rows;
}

/** One sheet (by name, else the first) of an uploaded workbook as rows keyed by its header. */
export async function workbookSheetRows(bytes: Buffer, name: string): Promise<SheetRow[]> {
  const wb = await loadWorkbook(bytes);
  const ws = wb.getWorksheet(name) ?? wb.worksheets[0];
  if (!ws) throw new HubError('HUB_ERR_SITE_INVALID', [`the workbook has no sheet ${name}`], [{ path: name, reason: 'no such sheet' }]);
  return readSheet(ws);
}

/** Maps a site-file path (`communities[0].grids[1].estates[0].devices[3].kind`) to the row it came from. */
export class Origins {
  private readonly byNode = new Map<object, { sheet: string; row: number }>();
  set(node: object, sheet: string, row: number) {
    this.byNode.set(node, { sheet, row });
  }
  locate(site: SiteFile, path: string): { sheet: string; row: number } | undefined {
    let node: unknown = site;
    let found: { sheet: string; row: number } | undefined;
    for (const part of path.split('.').flatMap((p) => p.split(/\[(\d+)\]/).filter(Boolean))) {
      if (node === null || typeof node !== 'object') break;
      node = (node as Record<string, unknown>)[part];
      if (node && typeof node === 'object') found = this.byNode.get(node) ?? found;
    }
    return found;
  }
  /** Each problem with the sheet and row its path came from, where known. */
  rows(site: SiteFile, problems: readonly SiteProblem[]): RowProblem[] {
    return problems.map((p) => {
      const at = this.locate(site, p.path);
      return at ? { ...p, sheet: at.sheet, row: at.row, reason: `${at.sheet} row ${at.row}: ${p.reason}` } : p;
    });
  }
}

/**
 * Reads a workbook written by `siteToXlsx` (and edited) back into the nested site file, validated by
 * the same checks as at start. Throws HUB_ERR_SITE_INVALID with every problem, each with its sheet and row.
 */
export async function siteFromXlsx(bytes: Buffer): Promise<SiteFile> {
  const wb = await loadWorkbook(bytes);
  const out: RowProblem[] = [];
  const sheet = (name: SheetName): SheetRow[] => {
    const ws = wb.getWorksheet(name);
    if (!ws) out.push({ sheet: name, path: name, reason: `the workbook has no sheet ${name}` });
    return ws ? readSheet(ws) : [];
  };
  const origins = new Origins();
  const missing = (s: string, r: SheetRow, key: string, what: string) => out.push({ sheet: s, row: r.row, path: `${s}!${r.row}.${key}`, reason: `${key} ${String(r.v[key])} is not a ${what} in this workbook` });

  const [streetRow] = sheet('street');
  const site: SiteFile = { version: 1, street: { id: String(streetRow?.v.id ?? ''), name: String(streetRow?.v.name ?? '') }, communities: [] };
  const communities = new Map<string, SiteFile['communities'][number]>();
  const grids = new Map<string, SiteFile['communities'][number]['grids'][number]>();
  for (const r of sheet('grids')) {
    const cid = str(r, 'community_id') ?? '';
    let c = communities.get(cid);
    if (!c) {
      c = { id: cid, name: str(r, 'community_name') ?? '', grids: [] };
      communities.set(cid, c);
      site.communities.push(c);
      origins.set(c, 'grids', r.row);
    }
    const gid = str(r, 'id');
    if (gid === undefined) continue;
    const g = { id: gid, name: str(r, 'name') ?? '', estates: [], wardens: [], ...retiredFrom(r) };
    grids.set(gid, g);
    c.grids.push(g);
    origins.set(g, 'grids', r.row);
  }
  const estates = new Map<string, Estate>();
  for (const r of sheet('estates')) {
    const g = grids.get(str(r, 'grid_id') ?? '');
    if (!g) {
      missing('estates', r, 'grid_id', 'grid');
      continue;
    }
    const e: Estate = { id: str(r, 'id') ?? '', name: str(r, 'name') ?? '', plan: { width_m: num(r, 'width_m', 'estates', out, true) ?? 0, height_m: num(r, 'height_m', 'estates', out, true) ?? 0 }, buildings: [], devices: [], ...retiredFrom(r) };
    estates.set(e.id, e);
    g.estates.push(e);
    origins.set(e, 'estates', r.row);
  }
  const buildings = new Map<string, Estate['buildings'][number]>();
  for (const r of sheet('buildings')) {
    const e = estates.get(str(r, 'estate_id') ?? '');
    if (!e) {
      missing('buildings', r, 'estate_id', 'estate');
      continue;
    }
    const w = num(r, 'w', 'buildings', out, false);
    const h = num(r, 'h', 'buildings', out, false);
    const b = {
      id: str(r, 'id') ?? '', name: str(r, 'name') ?? '', floors: num(r, 'floors', 'buildings', out, true) ?? 0,
      position: { x: num(r, 'x', 'buildings', out, true) ?? 0, y: num(r, 'y', 'buildings', out, true) ?? 0 }, ...(w !== undefined && h !== undefined ? { size: { w, h } } : {}), units: [], ...retiredFrom(r),
    };
    buildings.set(b.id, b);
    e.buildings.push(b);
    origins.set(b, 'buildings', r.row);
  }
  for (const r of sheet('units')) {
    const b = buildings.get(str(r, 'building_id') ?? '');
    if (!b) {
      missing('units', r, 'building_id', 'building');
      continue;
    }
    const elevators = (str(r, 'elevators') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const u = { id: str(r, 'id') ?? '', name: str(r, 'name') ?? '', ...(elevators.length ? { elevators } : {}), ...retiredFrom(r) };
    b.units.push(u);
    origins.set(u, 'units', r.row);
  }
  const deviceRows = sheet('devices');
  const byEstate = devicesFromRows(deviceRows, 'devices', out, (d, _e, row) => origins.set(d, 'devices', row));
  for (const [estateId, list] of byEstate) {
    const e = estates.get(estateId);
    if (!e) {
      for (const d of list) {
        const row = deviceRows.find((r) => r.v.id === d.id)?.row;
        out.push({ sheet: 'devices', ...(row !== undefined ? { row } : {}), path: `devices!${row ?? '?'}.estate_id`, reason: `estate_id ${estateId} is not an estate in this workbook` });
      }
      continue;
    }
    e.devices.push(...list);
  }
  for (const r of sheet('wardens')) {
    const g = grids.get(str(r, 'grid_id') ?? '');
    if (!g) {
      missing('wardens', r, 'grid_id', 'grid');
      continue;
    }
    const w = { id: str(r, 'id') ?? '', name: str(r, 'name') ?? '', phone: str(r, 'phone') ?? '', role: (str(r, 'role') ?? '') as 'full_time', ...retiredFrom(r) };
    g.wardens.push(w);
    origins.set(w, 'wardens', r.row);
  }
  const problems: RowProblem[] = [...out, ...origins.rows(site, validateSite(site))];
  if (problems.length) {
    const first = problems[0]!;
    throw new HubError('HUB_ERR_SITE_INVALID', [`workbook: ${problems.length} problem${problems.length === 1 ? '' : 's'} (first: ${first.sheet ? `${first.sheet} row ${first.row ?? '?'}` : first.path}: ${first.reason})`], problems);
  }
  return site;
}

/** What the workbook has no sheet for (the control room's phone, the officers 社区干部 / 街道干部), kept from the current site. */
export function withUnsheeted(next: SiteFile, current: SiteFile | null): SiteFile {
  if (!current) return next;
  const { control_room, officers } = current.street;
  const street = { ...next.street, ...(control_room ? { control_room } : {}), ...(officers ? { officers } : {}) };
  const officersOf = new Map(current.communities.map((c) => [c.id, c.officers]));
  return { ...next, street, communities: next.communities.map((c) => (officersOf.get(c.id) ? { ...c, officers: officersOf.get(c.id) } : c)) };
}
