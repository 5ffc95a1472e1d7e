import { api, ApiError } from '../api.ts';

/** A retired node (撤销): when and by whom; absent while active. */
export interface Retired { retired?: { at: string; by: string } }
export interface SiteNodeDevice extends Retired { id: string; kind: string; name?: string; building?: string; unit?: string; floor?: number; elevator?: string; position?: { x: number; y: number }; model?: string; dev_eui?: string; imei?: string }
export interface SiteBuilding extends Retired { id: string; name: string; floors: number; position: { x: number; y: number }; size?: { w: number; h: number }; units: ({ id: string; name: string; elevators?: string[] } & Retired)[] }
export interface SiteEstate extends Retired { id: string; name: string; plan: { width_m: number; height_m: number }; buildings: SiteBuilding[]; devices: SiteNodeDevice[] }
export interface SiteWarden extends Retired { id: string; name: string; phone: string; role: string }
export interface SiteGrid extends Retired { id: string; name: string; estates: SiteEstate[]; wardens: SiteWarden[] }
export interface SiteJson { version: 1; street: { id: string; name: string }; communities: ({ id: string; name: string; grids: SiteGrid[] } & Retired)[] }
export interface SiteChange { level: string; id: string; change: 'added' | 'removed' | 'changed'; fields?: string[] }
export interface Problem { path: string; reason: string; sheet?: string; row?: number }
export type SiteOp =
  | { op: 'add'; level: string; parent: string; node: Record<string, unknown> }
  | { op: 'rename'; id: string; name: string }
  | { op: 'move'; id: string; parent?: string; position?: { x: number; y: number } }
  | { op: 'update'; id: string; patch: Record<string, unknown> }
  | { op: 'retire'; id: string }
  | { op: 'restore'; id: string };

export const getSite = () => api<SiteJson>('/api/admin/site');
export const siteOps = (ops: SiteOp[], apply = true) => api<{ applied: boolean; changes: SiteChange[] }>(`/api/admin/site/ops?apply=${apply}`, { method: 'POST', json: { ops } });

/** Uploads a site file (YAML) or workbook (.xlsx) for a preview or to apply it. */
export async function importSite(file: File, apply: boolean): Promise<{ applied: boolean; changes: SiteChange[] }> {
  const xlsx = /\.xlsx$/i.test(file.name);
  return adminCall(`/api/admin/site/import?apply=${apply}`, {
    method: 'POST',
    body: xlsx ? await file.arrayBuffer() : await file.text(),
    headers: { 'Content-Type': xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/yaml' },
  });
}
export async function importDevices(file: File, apply: boolean): Promise<{ applied: boolean; changes: SiteChange[] }> {
  const xlsx = /\.xlsx$/i.test(file.name);
  return adminCall(`/api/admin/site/devices?apply=${apply}`, {
    method: 'POST',
    body: xlsx ? await file.arrayBuffer() : await file.text(),
    headers: { 'Content-Type': xlsx ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv' },
  });
}

/** The problems an error carries (site or rule validation), else its message. */
export function problemsOf(err: unknown): Problem[] {
  if (err instanceof AdminError) return err.problems;
  return [{ path: '', reason: err instanceof Error ? err.message : String(err) }];
}

export class AdminError extends ApiError {
  constructor(status: number, code: string, message: string, readonly problems: Problem[]) {
    super(status, code, message);
  }
}

/** Like api(), keeping the error's `details` (every problem with its path, or sheet and row). */
export async function adminCall<T>(path: string, init: RequestInit & { text?: string; contentType?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set('X-GridHub-CSRF', '1');
  if (init.contentType) headers.set('Content-Type', init.contentType);
  const res = await fetch(path, { ...init, headers, body: init.text ?? init.body, credentials: 'same-origin' });
  const data = (await res.json().catch(() => null)) as { code?: string; message?: string; details?: unknown } | null;
  if (!res.ok) {
    const d = data?.details as Problem[] | { errors?: Problem[] } | undefined;
    const problems = Array.isArray(d) ? d : (d?.errors ?? [{ path: '', reason: data?.message ?? res.statusText }]);
    throw new AdminError(res.status, data?.code ?? `HTTP_${res.status}`, data?.message ?? res.statusText, problems);
  }
  return data as T;
}

export const estatesOf = (site: SiteJson | null) => (site?.communities ?? []).flatMap((c) => c.grids.flatMap((g) => g.estates.map((e) => ({ ...e, gridId: g.id }))));
export const gridsOf = (site: SiteJson | null) => (site?.communities ?? []).flatMap((c) => c.grids);
