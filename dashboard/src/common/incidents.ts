import type { DeviceLive, LiveTicket, Priority } from '@gridhub/core';
import { needsAcknowledgement } from '../core.ts';
import { nextDeadline } from './sla.ts';

/**
 * An incident as the screens draw it, put together from its tickets (each ticket carries its
 * `incidentId`; the hub joins tickets to an incident through the transition table, so every
 * screen learns of it with the tickets): building, units, floors, detectors, first alarm.
 */
export interface LiveIncident {
  id: string;
  priority: Priority;
  gridId: string;
  estateId: string;
  buildingId: string | null;
  unitIds: string[];
  floors: number[];
  /** Per floor with alarms (ascending), its detectors' tickets; detectors of no known floor last (floor null). */
  byFloor: { floor: number | null; tickets: LiveTicket[] }[];
  deviceIds: string[];
  tickets: LiveTicket[];
  firstAlarmMs: number;
  lastAlarmMs: number;
  /** Tickets of it nobody in the control room has acknowledged yet (接警). */
  unacknowledged: number;
  /** Open tickets (not resolved or closed). */
  open: number;
}

const RANK: Record<Priority, number> = { P1: 0, P2: 1, P3: 2 };

export function incidentsOf(tickets: Iterable<LiveTicket>, devices?: ReadonlyMap<string, DeviceLive>): LiveIncident[] {
  const by = new Map<string, LiveTicket[]>();
  for (const t of tickets) {
    if (!t.incidentId) continue;
    const list = by.get(t.incidentId);
    if (list) list.push(t);
    else by.set(t.incidentId, [t]);
  }
  const out: LiveIncident[] = [];
  for (const [id, list] of by) {
    const first = list[0]!;
    // The floor from the live device, else from the ticket (a department sees no devices; the hub puts the floor on the ticket).
    const floorOf = (t: LiveTicket): number | null => devices?.get(t.deviceId)?.floor ?? t.floor ?? null;
    const perFloor = new Map<number | null, LiveTicket[]>();
    for (const t of list) {
      const f = floorOf(t);
      perFloor.set(f, [...(perFloor.get(f) ?? []), t]);
    }
    const floors = new Set([...perFloor.keys()].filter((f): f is number => f !== null));
    out.push({
      id,
      priority: list.reduce<Priority>((p, t) => (RANK[t.priority] < RANK[p] ? t.priority : p), 'P3'),
      gridId: first.gridId,
      estateId: first.place.estate,
      buildingId: first.place.building,
      unitIds: [...new Set(list.map((t) => t.place.unit).filter((u): u is string => !!u))].sort(),
      floors: [...floors].sort((a, b) => a - b),
      byFloor: [...perFloor.entries()].sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity)).map(([floor, tickets]) => ({ floor, tickets })),
      deviceIds: [...new Set(list.map((t) => t.deviceId))],
      tickets: list,
      firstAlarmMs: Math.min(...list.map((t) => t.firstSeenMs)),
      lastAlarmMs: Math.max(...list.map((t) => t.lastSeenMs)),
      unacknowledged: list.filter(needsAcknowledgement).length,
      open: list.filter((t) => t.status !== 'closed' && t.status !== 'resolved').length,
    });
  }
  return out.filter((i) => i.open > 0).sort((a, b) => b.unacknowledged - a.unacknowledged || RANK[a.priority] - RANK[b.priority] || b.firstAlarmMs - a.firstAlarmMs);
}

/**
 * The alarm list's order, as a control room works it:
 *   1. not acknowledged (接警) yet: by priority, then newest first;
 *   2. open tickets: by their next deadline (nearest first), then priority;
 *   3. last: alarms that cleared by themselves, then resolved ones (waiting for verification).
 */
export function urgencyBand(t: LiveTicket): number {
  if (needsAcknowledgement(t)) return 0;
  if (t.status === 'resolved') return 3;
  if (t.conditionClearedMs !== null) return 2;
  return 1;
}

export function byAlarmUrgency(nowMs: number) {
  return (a: LiveTicket, b: LiveTicket): number => {
    const band = urgencyBand(a) - urgencyBand(b);
    if (band) return band;
    if (urgencyBand(a) === 0) return RANK[a.priority] - RANK[b.priority] || b.createdMs - a.createdMs;
    const da = nextDeadline(a, nowMs)?.atMs ?? Infinity;
    const db = nextDeadline(b, nowMs)?.atMs ?? Infinity;
    return da - db || RANK[a.priority] - RANK[b.priority] || b.createdMs - a.createdMs;
  };
}
