import type { DeviceLive, LiveTicket, RealtimeUser } from '@gridhub/core';
import { seesGrid, seesTicket as scopeSeesTicket, type AccessScope } from '../auth/scope.ts';

/**
 * Rooms scope what a socket receives; nobody is joined to a room their role may not see.
 *   all         operators and admins: everything
 *   grid:<id>   grid leaders and wardens of that grid: its devices and tickets
 *   dept:<name> a department: the tickets escalated to it (吹哨)
 *   user:<id>   one person: notices meant for them (a dispatch to them)
 * Pure functions, so the scope rule is tested without sockets.
 */
export const ALL_ROOM = 'all';
export const gridRoom = (gridId: string) => `grid:${gridId}`;
export const deptRoom = (department: string) => `dept:${department}`;
export const userRoom = (userId: string) => `user:${userId}`;

/** The scope rooms of a user (deltas go there); `user:<id>` is joined besides, for notices. */
export function scopeRooms(user: RealtimeUser): string[] {
  if (user.gridIds === null && user.department === null) return [ALL_ROOM];
  const rooms = (user.gridIds ?? []).map(gridRoom);
  if (user.department) rooms.push(deptRoom(user.department));
  return rooms;
}

export function deviceRooms(d: Pick<DeviceLive, 'gridId'>): string[] {
  return [ALL_ROOM, gridRoom(d.gridId)];
}

export function ticketRooms(t: Pick<LiveTicket, 'gridId' | 'department'>): string[] {
  const rooms = [ALL_ROOM, gridRoom(t.gridId)];
  if (t.department) rooms.push(deptRoom(t.department));
  return rooms;
}

/** May this user see this device / ticket? (Snapshots filter with these; rooms mirror them.) */
/** A socket's user as the HTTP API's access scope: one scope rule serves both (auth/scope.ts). */
export function scopeOfRealtime(user: RealtimeUser): AccessScope {
  if (user.department !== null) return { kind: 'department', department: user.department };
  return user.gridIds === null ? { kind: 'all' } : { kind: 'grids', gridIds: user.gridIds };
}

export function seesDevice(user: RealtimeUser, d: Pick<DeviceLive, 'gridId'>): boolean {
  return seesGrid(scopeOfRealtime(user), d.gridId);
}

export function seesTicket(user: RealtimeUser, t: Pick<LiveTicket, 'gridId' | 'department'>): boolean {
  return scopeSeesTicket(scopeOfRealtime(user), t);
}
