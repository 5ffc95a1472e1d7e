import type { DevicePlace, Warden } from '@gridhub/core';
import { ESCALATION_LEVELS } from './model.ts';

/** A duty shift of one warden in one grid (值班表). */
export interface RosterShift {
  gridId: string;
  wardenId: string;
  fromMs: number;
  toMs: number;
}

export interface DutyChoice {
  assigneeId: string | null;
  via: 'roster' | 'grid_leader' | 'none';
}

/** Pure: the warden on duty in a grid now (latest-starting shift wins), else the grid leader. */
export function dutyAssignee(shifts: readonly RosterShift[], wardens: readonly Warden[], gridId: string, nowMs: number): DutyChoice {
  let best: RosterShift | null = null;
  for (const s of shifts) {
    if (s.gridId !== gridId || nowMs < s.fromMs || nowMs >= s.toMs) continue;
    if (!wardens.some((w) => w.id === s.wardenId && w.gridId === gridId)) continue;
    if (!best || s.fromMs > best.fromMs) best = s;
  }
  if (best) return { assigneeId: best.wardenId, via: 'roster' };
  const leader = wardens.find((w) => w.gridId === gridId && w.role === 'grid_leader');
  return leader ? { assigneeId: leader.id, via: 'grid_leader' } : { assigneeId: null, via: 'none' };
}

/**
 * Who an escalation step goes to: level 1 the grid leader, 2 the community (社区), 3 the street
 * office (街道); as `warden:<id>`, `community:<id>`, `street:<id>`.
 */
export function escalationTarget(level: number, place: DevicePlace, gridId: string, wardens: readonly Warden[]): string {
  const name = ESCALATION_LEVELS[Math.min(level, ESCALATION_LEVELS.length - 1)]!;
  if (name === 'grid_leader') {
    const leader = wardens.find((w) => w.gridId === gridId && w.role === 'grid_leader');
    return leader ? `warden:${leader.id}` : `community:${place.community}`;
  }
  if (name === 'community') return `community:${place.community}`;
  if (name === 'street') return `street:${place.street}`;
  return `grid:${gridId}`;
}
