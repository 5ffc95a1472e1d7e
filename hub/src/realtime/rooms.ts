import type { DeviceLive, LiveTicket, RealtimeUser } from '@gridhub/core';

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
export function seesDevice(user: RealtimeUser, d: Pick<DeviceLive, 'gridId'>): boolean {
  if (user.gridIds === null) return user.department === null;
  return user.gridIds.includes(d.gridId);
}

export function seesTicket(user: RealtimeUser, t: Pick<LiveTicket, 'gridId' | 'department'>): boolean {
  if (user.gridIds === null && user.department === null) return true;
  if (user.gridIds?.includes(t.gridId)) return true;
  return user.department !== null && t.department === user.department;
}
