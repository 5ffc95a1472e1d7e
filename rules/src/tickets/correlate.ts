/**
 * Correlation (pure): two or more smoke alarms in one building within a window (2 min) are one
 * P1 "confirmed fire" incident that groups their tickets.
 */
export const FIRE_WINDOW_MS = 2 * 60_000;
export const FIRE_RULE_ID = 'smoke.alarm';

export interface AlarmRef {
  ticketId: string;
  deviceId: string;
  buildingId: string | null;
  lastSeenMs: number;
  incidentId: string | null;
}

export type Correlation = { type: 'none' } | { type: 'create'; ticketIds: string[] } | { type: 'join'; incidentId: string; ticketIds: string[] };

export function correlateFire(alarm: AlarmRef, others: readonly AlarmRef[], windowMs = FIRE_WINDOW_MS): Correlation {
  if (!alarm.buildingId) return { type: 'none' };
  const near = others.filter(
    (o) => o.ticketId !== alarm.ticketId && o.deviceId !== alarm.deviceId && o.buildingId === alarm.buildingId && Math.abs(o.lastSeenMs - alarm.lastSeenMs) <= windowMs,
  );
  if (!near.length) return { type: 'none' };
  const group = [alarm, ...near];
  const existing = group.find((a) => a.incidentId !== null)?.incidentId;
  const loose = group.filter((a) => a.incidentId === null).map((a) => a.ticketId);
  if (existing) return loose.length ? { type: 'join', incidentId: existing, ticketIds: loose } : { type: 'none' };
  return { type: 'create', ticketIds: group.map((a) => a.ticketId) };
}
