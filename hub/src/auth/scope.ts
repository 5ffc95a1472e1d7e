import { seesEverything, type Department, type RealtimeUser, type Ticket, type User, type Warden } from '@gridhub/core';
import type { TicketFilter } from '@gridhub/rules';

/**
 * What a user may see, derived once from the session: everything (operator, admin), their grids
 * (warden, grid leader), or the tickets escalated to their department. Every route asks this one
 * module; the auth plugin applies it to each route's `:id` and `grid` before the handler runs.
 */
export type AccessScope = { kind: 'all' } | { kind: 'grids'; gridIds: readonly string[] } | { kind: 'department'; department: Department };

export function scopeOf(user: User): AccessScope {
  if (seesEverything(user.role)) return { kind: 'all' };
  if (user.role === 'department') return user.department ? { kind: 'department', department: user.department } : { kind: 'grids', gridIds: [] };
  return { kind: 'grids', gridIds: user.gridId ? [user.gridId] : [] };
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
 * their own grid's; a department sees staff by name and grid only.
 */
export function staffView(user: User, w: Warden): StaffView {
  if (seesEverything(user.role) || user.role === 'grid_leader' || (user.role === 'warden' && user.gridId === w.gridId)) return w;
  return { id: w.id, name: w.name, role: w.role, gridId: w.gridId };
}

/** The session reduced to what scopes Socket.IO rooms (core's RealtimeUser). */
export function realtimeUserOf(user: User): RealtimeUser {
  const scope = scopeOf(user);
  return { id: user.id, name: user.name, role: user.role, gridIds: scope.kind === 'grids' ? [...scope.gridIds] : scope.kind === 'all' ? null : [], department: user.department };
}
