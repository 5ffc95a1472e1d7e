import { randomBytes } from 'node:crypto';
import { DEPARTMENTS, DEPARTMENT_LABELS, type Officer, type Warden } from '@gridhub/core';
import type { NewUser, UserStore } from './users.ts';

/** Demo passwords are public (documented in docs/tickets.md): `demo-` + the user name. */
export const demoPassword = (username: string): string => `demo-${username}`;

/**
 * The users every hub has: `admin`, with HUB_ADMIN_PASSWORD or, on the first start without it, a
 * generated password returned here ONCE for the entry point to print (only its hash is stored).
 */
export async function seedAdmin(users: UserStore, password: string | null): Promise<{ generatedPassword: string | null }> {
  if (await users.get('admin')) return { generatedPassword: null };
  const generated = password ? null : randomBytes(12).toString('base64url');
  await users.create({ id: 'admin', username: 'admin', name: '系统管理员', role: 'admin', gridId: null, department: null, password: password ?? generated! });
  return { generatedPassword: generated };
}

/**
 * Demo users for the demo site: one control-room operator, one user per department, each
 * warden of the site as a user (grid leaders as grid leaders), whose id is their warden id, and
 * each officer (社区干部, 街道干部) as a community or street officer, whose id is their officer id.
 */
export function demoUsers(wardens: readonly Warden[], officers: readonly Officer[] = []): NewUser[] {
  const list: NewUser[] = [{ username: 'operator', name: '值班员 王敏', role: 'operator', gridId: null, department: null, password: demoPassword('operator') }];
  for (const d of DEPARTMENTS) list.push({ username: d, name: DEPARTMENT_LABELS[d].zh, role: 'department', gridId: null, department: d, password: demoPassword(d) });
  for (const w of wardens) {
    list.push({ id: w.id, username: w.id, name: w.name, role: w.role === 'grid_leader' ? 'grid_leader' : 'warden', gridId: w.gridId, department: null, password: demoPassword(w.id) });
  }
  for (const o of officers) {
    const place = o.level === 'street' ? { role: 'street_officer' as const, streetId: o.placeId } : { role: 'community_officer' as const, communityId: o.placeId };
    list.push({ id: o.id, username: o.id, name: o.name, gridId: null, department: null, ...place, password: demoPassword(o.id) });
  }
  return list;
}

/** Creates the demo users that do not exist yet (a few at a time: each hash is ~100 ms of scrypt). */
export async function seedDemoUsers(users: UserStore, wardens: readonly Warden[], officers: readonly Officer[] = []): Promise<number> {
  const todo: NewUser[] = [];
  for (const u of demoUsers(wardens, officers)) if (!(await users.get(u.id ?? u.username))) todo.push(u);
  for (let i = 0; i < todo.length; i += 4) await Promise.all(todo.slice(i, i + 4).map((u) => users.create(u)));
  return todo.length;
}
