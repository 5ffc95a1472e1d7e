import type { DevicePlace, Officer, Warden } from '@gridhub/core';
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

/** Who an escalation step went to: the level's place and the people of it it names. */
export interface EscalationTarget {
  /** `warden:<id>` (the grid leader), `community:<id>` (社区), `street:<id>` (街道), `grid:<id>`. */
  to: string;
  /** The people it lands on: the grid leader, or the officers of that community / street office. */
  people: string[];
}

/**
 * Pure: who an escalation step goes to: level 1 the grid leader, 2 the community's officers
 * (社区干部), 3 the street office's (街道干部). A grid with no leader goes straight to its community.
 */
export function escalationTarget(level: number, place: DevicePlace, gridId: string, wardens: readonly Warden[], officers: readonly Officer[] = []): EscalationTarget {
  const name = ESCALATION_LEVELS[Math.min(level, ESCALATION_LEVELS.length - 1)]!;
  const of = (lvl: Officer['level'], placeId: string) => officers.filter((o) => o.level === lvl && o.placeId === placeId).map((o) => o.id);
  if (name === 'grid_leader') {
    const leader = wardens.find((w) => w.gridId === gridId && w.role === 'grid_leader');
    return leader ? { to: `warden:${leader.id}`, people: [leader.id] } : { to: `community:${place.community}`, people: of('community', place.community) };
  }
  if (name === 'community') return { to: `community:${place.community}`, people: of('community', place.community) };
  if (name === 'street') return { to: `street:${place.street}`, people: of('street', place.street) };
  return { to: `grid:${gridId}`, people: [] };
}
