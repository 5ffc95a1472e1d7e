import type { DevicePlace, Silence } from '@gridhub/core';
import type { Schedule } from '../kinds/common.ts';

const DAY_MIN = 24 * 60;

/** Pure: whether a rule's schedule is in force at `nowMs` (always, when it has none). */
export function inSchedule(schedule: Schedule | null, nowMs: number): boolean {
  if (!schedule) return true;
  const localMin = Math.floor(nowMs / 60_000) + schedule.offsetMin;
  const dayIndex = Math.floor(localMin / DAY_MIN);
  const minuteOfDay = localMin - dayIndex * DAY_MIN;
  // 1970-01-01 was a Thursday (4).
  const weekday = (((dayIndex + 4) % 7) + 7) % 7;
  const { fromMin, toMin, days } = schedule;
  if (fromMin <= toMin) return (!days || days.includes(weekday)) && minuteOfDay >= fromMin && minuteOfDay < toMin;
  // Over midnight (22:00-06:00): the early hours belong to the previous day's window.
  if (minuteOfDay >= fromMin) return !days || days.includes(weekday);
  return minuteOfDay < toMin && (!days || days.includes((weekday + 6) % 7));
}

export type { Silence };

export function isSilenced(silences: readonly Silence[], deviceId: string, place: DevicePlace, ruleId: string, nowMs: number): Silence | null {
  for (const s of silences) {
    if (nowMs < s.fromMs || nowMs >= s.toMs) continue;
    if (s.ruleIds && !s.ruleIds.includes(ruleId)) continue;
    const { estate, building, device } = s.scope;
    if (device !== undefined && device !== deviceId) continue;
    if (building !== undefined && building !== place.building) continue;
    if (estate !== undefined && estate !== place.estate) continue;
    return s;
  }
  return null;
}
