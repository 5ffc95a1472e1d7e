import type { DeviceKind, HubEvent, Incident, Priority, Silence, Ticket, UserRole } from '@gridhub/core';
import { isSilenced } from '@gridhub/rules';
import { GROUP_CHANNEL_TYPES, type ChannelType, type Locale } from './types.ts';
import { inWindow, windowEndMs, type NotifyFile, type PageEvent, type PersonChannel, type Route } from './config.ts';

/**
 * Routing (pure): who is paged, on which channel, for one logged event. No I/O, no clock of its
 * own: the directory, the silences and `nowMs` are inputs, pages are the output.
 *   - a P1 dispatch pages the on-duty warden (push + SMS) and the grid's robot groups at once;
 *   - each escalation step pages that level's people: 1 the grid leader, 2 the community's
 *     officers (社区干部), 3 the street office's (街道干部), as the rules engine named them (`to`);
 *   - a confirmed fire pages once for the incident (detectors after the first merge into it);
 *   - quiet hours hold P3 pages only (until they end); a P1 is never held;
 *   - a silence (maintenance window) stops the page, not the record: the page is kept, cancelled;
 *   - each person's own channel choice applies within what the route allows.
 */
export interface Person {
  id: string;
  name: string;
  role: UserRole;
  gridId: string | null;
  communityId: string | null;
  streetId: string | null;
  phone: string | null;
  locale: Locale;
  /** The person's own choice (null: every channel the route allows). */
  channels: PersonChannel[] | null;
  /** Has at least one web-push subscription. */
  push: boolean;
}

export interface RoutingContext {
  config: NotifyFile;
  people: readonly Person[];
  silences: readonly Silence[];
  nowMs: number;
  utcOffsetMin: number;
}

/** What a logged event asks of notifications. */
export type Trigger =
  | { event: 'dispatch'; ticket: Ticket; assigneeId: string }
  | { event: 'escalate'; ticket: Ticket; level: number; to: string; /** The people the step named (its history entry). */ people?: string[] }
  | { event: 'incident'; incident: Incident; ticketIds: string[]; kind: DeviceKind; ruleId: string; assigneeIds: string[] };

/** Ticket transitions after which nobody needs paging about it any more (its pending pages are cancelled). */
export const SETTLING_STATUSES: readonly Ticket['status'][] = ['accepted', 'on_site', 'with_department', 'resolved', 'closed'];

/** Pure: the trigger in an event, if any. */
export function triggerOf(e: HubEvent): Trigger | null {
  if (e.type === 'ticket') {
    const { action, data } = e.transition;
    if ((action === 'dispatch' || action === 'transfer' || action === 'reopen') && e.ticket.assigneeId) return { event: 'dispatch', ticket: e.ticket, assigneeId: e.ticket.assigneeId };
    if (action === 'escalate' && data) {
      const people = Array.isArray(data.people) ? data.people.map(String) : undefined;
      return { event: 'escalate', ticket: e.ticket, level: Number(data.level), to: String(data.to), ...(people ? { people } : {}) };
    }
    return null;
  }
  if (e.type === 'incident' && !e.joined) return { event: 'incident', incident: e.incident, ticketIds: e.ticketIds, kind: 'smoke', ruleId: 'smoke.alarm', assigneeIds: [] };
  return null;
}

/** Pure: a ticket whose pages are no longer relevant after this event. */
export function settledTicketOf(e: HubEvent): string | null {
  return e.type === 'ticket' && e.transition.from !== e.transition.to && SETTLING_STATUSES.includes(e.transition.to) ? e.ticket.id : null;
}

export interface Page {
  /** `user:<id>` or `group:<channelId>`. */
  recipient: string;
  channelId: string;
  channelType: ChannelType;
  personId: string | null;
  locale: Locale;
  route: string;
  /** Quiet hours: not before this time (P3 only). */
  notBeforeMs: number | null;
  /** The page is recorded, not sent (a silence). */
  suppressed: string | null;
}

interface Subject {
  priority: Priority;
  kind: DeviceKind;
  gridId: string;
  estateId: string;
  communityId: string | null;
  streetId: string | null;
  deviceId: string | null;
  ruleId: string;
  building: string | null;
}

function subjectOf(t: Trigger): Subject {
  if (t.event === 'incident') {
    const i = t.incident;
    return { priority: i.priority, kind: t.kind, gridId: i.gridId, estateId: i.estateId, communityId: null, streetId: null, deviceId: null, ruleId: t.ruleId, building: i.buildingId };
  }
  const k = t.ticket;
  return { priority: k.priority, kind: k.deviceKind, gridId: k.gridId, estateId: k.place.estate, communityId: k.place.community, streetId: k.place.street, deviceId: k.deviceId, ruleId: k.ruleId, building: k.place.building };
}

function matches(r: Route, ev: PageEvent, s: Subject, ctx: RoutingContext): boolean {
  const m = r.match ?? {};
  if (m.events && !m.events.includes(ev)) return false;
  if (m.priorities && !m.priorities.includes(s.priority)) return false;
  if (m.kinds && !m.kinds.includes(s.kind)) return false;
  if (m.grids && !m.grids.includes(s.gridId)) return false;
  if (m.estates && !m.estates.includes(s.estateId)) return false;
  if (m.hours && !inWindow(m.hours, ctx.nowMs, ctx.utcOffsetMin)) return false;
  return true;
}

/** The people an escalation step names (`warden:<id>`, `community:<id>`, `street:<id>`). */
export function levelPeople(to: string, people: readonly Person[]): Person[] {
  const [scope, id] = to.split(':') as [string, string];
  if (scope === 'warden') return people.filter((p) => p.id === id);
  if (scope === 'community') return people.filter((p) => p.role === 'community_officer' && p.communityId === id);
  if (scope === 'street') return people.filter((p) => p.role === 'street_officer' && p.streetId === id);
  if (scope === 'grid') return people.filter((p) => p.role === 'grid_leader' && p.gridId === id);
  return [];
}

function personChannelId(config: NotifyFile, c: PersonChannel): { id: string; type: ChannelType } | null {
  const wanted = c === 'sms' ? config.sms : config.push;
  const found = config.channels.find((x) => (wanted ? x.id === wanted : c === 'sms' ? x.type === 'sms_aliyun' || x.type === 'sms_tencent' : x.type === 'webpush'));
  return found ? { id: found.id, type: found.type } : null;
}

/** Pure: the pages for one trigger. */
export function route(t: Trigger, ctx: RoutingContext): Page[] {
  const s = subjectOf(t);
  const silence = s.deviceId && t.event !== 'incident' ? isSilenced(ctx.silences, s.deviceId, t.ticket.place, s.ruleId, ctx.nowMs) : null;
  const suppressed = silence ? `silenced: ${silence.reason}` : null;
  const quiet = s.priority === 'P3' && ctx.config.quietHours && inWindow(ctx.config.quietHours, ctx.nowMs, ctx.utcOffsetMin) ? windowEndMs(ctx.config.quietHours, ctx.nowMs, ctx.utcOffsetMin) : null;
  const pages = new Map<string, Page>();
  const add = (p: Omit<Page, 'notBeforeMs' | 'suppressed'>) => {
    const key = `${p.recipient}|${p.channelId}`;
    if (!pages.has(key)) pages.set(key, { ...p, notBeforeMs: quiet, suppressed });
  };
  for (const r of ctx.config.routes) {
    if (!matches(r, t.event, s, ctx)) continue;
    const people: Person[] = [];
    if (r.people?.includes('assignee')) {
      const id = t.event === 'dispatch' ? t.assigneeId : t.event === 'escalate' ? t.ticket.assigneeId : null;
      const assignee = id ? ctx.people.find((p) => p.id === id) : undefined;
      if (assignee) people.push(assignee);
      // An incident pages the wardens its tickets went to (filled in by the consumer).
      if (t.event === 'incident') people.push(...ctx.people.filter((p) => t.assigneeIds.includes(p.id)));
    }
    // The step's named people (what its history says), else everyone of that level in that place.
    if (r.people?.includes('level') && t.event === 'escalate') people.push(...(t.people?.length ? ctx.people.filter((p) => t.people!.includes(p.id)) : levelPeople(t.to, ctx.people)));
    const allowed = r.personChannels ?? [];
    for (const p of people) {
      const chosen = p.channels ? allowed.filter((c) => p.channels!.includes(c)) : allowed;
      for (const c of chosen.length ? chosen : allowed) {
        if (c === 'sms' && !p.phone) continue;
        if (c === 'push' && !p.push) continue;
        const ch = personChannelId(ctx.config, c);
        if (ch) add({ recipient: `user:${p.id}`, channelId: ch.id, channelType: ch.type, personId: p.id, locale: p.locale, route: r.name });
      }
    }
    for (const g of r.groups ?? []) {
      const chosen = ctx.config.channels.filter((c) => GROUP_CHANNEL_TYPES.includes(c.type) && (g === 'grid' ? c.grids?.includes(s.gridId) : c.id === g));
      for (const c of chosen) add({ recipient: `group:${c.id}`, channelId: c.id, channelType: c.type, personId: null, locale: 'zh', route: r.name });
    }
  }
  return [...pages.values()];
}
