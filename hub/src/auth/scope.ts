import { seesEverything, type Department, type Officer, type RealtimeUser, type Ticket, type User, type Warden } from '@gridhub/core';
import type { TicketFilter } from '@gridhub/rules';

/**
 * What a user may see, derived once from the session: everything (operator, admin), their grids
 * (warden, grid leader: theirs; community officer: every grid of the community; street officer:
 * every grid of the street), or the tickets escalated to their department. Every route asks this
 * one module; the auth plugin applies it to each route's `:id` and `grid` before the handler runs.
 */
export type AccessScope = { kind: 'all' } | { kind: 'grids'; gridIds: readonly string[] } | { kind: 'department'; department: Department };

/** The grids under a community or the whole street (the store's `gridIdsIn`). */
export type GridsIn = (place: { communityId?: string | null; streetId?: string | null }) => Promise<readonly string[]>;

/** Is this an officer whose grids are those of a place (社区干部, 街道干部)? */
export const isOfficer = (user: Pick<User, 'role'>): boolean => user.role === 'community_officer' || user.role === 'street_officer';

/**
 * Pure: the scope of a user. `placeGrids` are the grids of an officer's community or street
 * (resolved by `resolveScope`); an officer without a place sees nothing.
 */
export function scopeOf(user: User, placeGrids: readonly string[] = []): AccessScope {
  if (seesEverything(user.role)) return { kind: 'all' };
  if (user.role === 'department') return user.department ? { kind: 'department', department: user.department } : { kind: 'grids', gridIds: [] };
  if (isOfficer(user)) return { kind: 'grids', gridIds: placeGrids };
  return { kind: 'grids', gridIds: user.gridId ? [user.gridId] : [] };
}

/** The scope of a session's user, an officer's place resolved to its grids now (the site may change). */
export async function resolveScope(user: User, gridsIn: GridsIn): Promise<AccessScope> {
  if (!isOfficer(user)) return scopeOf(user);
  const place = user.role === 'community_officer' ? { communityId: user.communityId } : { streetId: user.streetId };
  return scopeOf(user, place.communityId || place.streetId ? await gridsIn(place) : []);
}

export function seesTicket(scope: AccessScope, t: Pick<Ticket, 'gridId' | 'department'>): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'department') return t.department === scope.department;
  return scope.gridIds.includes(t.gridId);
}

/** Devices, rosters, KPIs of a grid: a department sees no grid as such. */
export function seesGrid(scope: AccessScope, gridId: string): boolean {
  return scope.kind === 'all' || (scope.kind === 'grids' && scope.gridIds.includes(gridId));
}

/** The filter that keeps a ticket query inside the scope (merged over the caller's). */
export function scopedTicketFilter(scope: AccessScope, f: TicketFilter): TicketFilter {
  if (scope.kind === 'all') return f;
  if (scope.kind === 'department') return { ...f, department: scope.department };
  return { ...f, gridIds: f.gridId ? (scope.gridIds.includes(f.gridId) ? [f.gridId] : []) : scope.gridIds };
}

/** The grids a grid-scoped query may cover (null: every grid). */
export function scopedGrids(scope: AccessScope): readonly string[] | null {
  return scope.kind === 'all' ? null : scope.kind === 'grids' ? scope.gridIds : [];
}

/** A member of staff as a user sees them: their phone only where the user may call them. */
export type StaffView = Omit<Warden, 'phone'> & { phone?: string };

/**
 * Operators, admins and grid leaders (who transfer across grids) see every phone; a warden sees
 * their own grid's, an officer those of the grids they oversee; a department sees staff by name and grid only.
 */
export function staffView(user: User, w: Warden, scope?: AccessScope): StaffView {
  if (seesEverything(user.role) || user.role === 'grid_leader' || (user.role === 'warden' && user.gridId === w.gridId)) return w;
  if (isOfficer(user) && scope && seesGrid(scope, w.gridId)) return w;
  return { id: w.id, name: w.name, role: w.role, gridId: w.gridId };
}

/** An officer as a user sees them: everyone who escalates (staff, officers, the control room) may call them; a department sees the name only. */
export function officerView(user: User, o: Officer): Omit<Officer, 'phone'> & { phone?: string } {
  if (user.role !== 'department') return o;
  return { id: o.id, name: o.name, level: o.level, placeId: o.placeId };
}

/** The session reduced to what scopes Socket.IO rooms (core's RealtimeUser). */
export function realtimeUserOf(user: User, scope: AccessScope = scopeOf(user)): RealtimeUser {
  return { id: user.id, name: user.name, role: user.role, gridIds: scope.kind === 'grids' ? [...scope.gridIds] : scope.kind === 'all' ? null : [], department: user.department };
}
