import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { DEFAULT_LIVENESS, eventDeviceId, livenessOf, type DeviceLive, type FeedItem, type LiveTicket, type LoggedEvent, type RealtimeNotice, type Ticket, type TicketActionName } from '@gridhub/core';
import { followEventLog } from '../event-follower.ts';
import type { Ingest } from '@gridhub/ingest';
import { ticketTimers, type SlaConfig } from '@gridhub/rules';
import { deadlines } from '../api/tickets.ts';
import { originAllowed, realtimeUserOf, resolveScope, sessionToken } from '../auth/index.ts';
import type { HubServices } from '../services.ts';
import { createRealtime, type Realtime } from './server.ts';

const PAGE = 1000;
const DAY_MS = 86_400_000;
/** Transitions that put a ticket in someone's hands: they get a personal notice. */
const NOTICES: Partial<Record<TicketActionName, RealtimeNotice['what']>> = { dispatch: 'dispatched', transfer: 'transferred', reopen: 'reopened' };

/** A ticket as the screens get it: with the SLA deadlines of its open phases. */
export function liveTicket(t: Ticket, sla: SlaConfig): LiveTicket {
  const d = deadlines(t, ticketTimers(t, sla));
  return { ...t, deadlines: Object.fromEntries(Object.entries(d).filter(([, v]) => v !== null)) as LiveTicket['deadlines'] };
}

/**
 * The realtime layer wired into the hub: sockets authenticated with the HTTP session (cookie or
 * Bearer token), devices and tickets loaded from the store at start, readings from ingest (once
 * durable in the spool), and the event log read by cursor (never emits from memory) turned into
 * coalesced deltas; a reconnecting screen catches up from its last event id (`missedEvents`).
 */
export async function attachRealtime(opts: { server: HttpServer; hub: HubServices; ingest: Ingest; log: Logger; flushIntervalMs?: number; revalidateMs?: number }): Promise<Realtime> {
  const { hub } = opts;
  const log_ = opts.log;
  const sla = () => hub.rules.tickets.sla;
  const rt = createRealtime({
    server: opts.server,
    flushIntervalMs: opts.flushIntervalMs,
    now: hub.now,
    onError: (err, what) => log_.error({ err }, what),
    missedEvents: (from, to) => missedEvents(from, to),
    async authenticate({ cookie, token }) {
      const t = token ?? sessionToken({ cookie });
      const session = t ? await hub.auth.users.session(t) : undefined;
      if (!session) return null;
      return { user: realtimeUserOf(session.user, await resolveScope(session.user, (place) => hub.store.gridIdsIn(place))), sessionId: session.id, expiresMs: session.expiresMs };
    },
    // A page of another origin never gets a live feed, even with the user's cookie.
    allowRequest: (headers) => originAllowed(headers, hub.auth.allowedOrigins),
    liveSessions: (ids) => hub.auth.users.liveSessionIds(ids),
    revalidateMs: opts.revalidateMs,
    async loadDevices() {
      const out: (DeviceLive & { connected: boolean | null })[] = [];
      const now = hub.now();
      for (let offset = 0; ; offset += PAGE) {
        const { items } = await hub.store.listDevices({ limit: PAGE, offset });
        const states = await hub.store.deviceStates(items.map((d) => d.id));
        for (const d of items) {
          const s = states.get(d.id);
          out.push({
            id: d.id,
            kind: d.kind,
            gridId: d.place.grid,
            estateId: d.estateId,
            buildingId: d.buildingId,
            floor: d.floor,
            liveness: livenessOf(DEFAULT_LIVENESS[d.kind], s?.lastSeenMs ?? null, s?.connected ?? null, now),
            alarm: false,
            batteryPct: s?.batteryPct ?? null,
            lastSeenMs: s?.lastSeenMs ?? null,
            lastEvent: s?.lastEvent ?? null,
            connected: s?.connected ?? null,
          });
        }
        if (items.length < PAGE) return out;
      }
    },
    async loadTickets() {
      const [open, closed] = await Promise.all([
        hub.rules.tickets.list({ open: true, limit: 100_000 }),
        hub.rules.tickets.list({ status: ['closed'], sinceMs: hub.now() - 7 * DAY_MS, limit: 10_000 }),
      ]);
      const recent = closed.filter((t) => t.closedMs !== null && hub.now() - t.closedMs < DAY_MS);
      return [...open, ...recent].map((t) => liveTicket(t, sla()));
    },
  });
  // The position first, then the state: events committed in between are applied again (a
  // ticket is set to its newest state, a ticker line keeps its event id), never missed.
  const log = hub.rules.eventLog;
  const startId = await log.lastId();
  await rt.start();
  rt.advance(startId);

  const apply = (logged: LoggedEvent) => {
    const { ticket, feed, notice } = translate(logged, rt.gridOf, sla());
    if (ticket) rt.ticket(ticket, feed ?? null, notice);
    else if (feed) rt.feed(feed);
  };
  // Logout, password change, disabling: that session's (or user's) sockets close at once.
  const offEnded = hub.auth.users.onSessionsEnded((e) => rt.endSessions(e.reason === 'logout' ? { sessionIds: e.sessionIds } : { userId: e.userId }));
  const follower = followEventLog(
    log,
    startId,
    (page) => {
      for (const e of page) apply(e);
      rt.advance(page[page.length - 1]!.id);
    },
    { onError: (err) => log_.warn({ err }, 'reading the event log for the screens failed; retrying') },
  );
  /** The events a reconnecting screen missed (RealtimeResume), from the log by cursor. */
  async function missedEvents(from: number, to: number): Promise<{ ticketIds: string[]; deviceIds: string[]; feed: FeedItem[] } | null> {
    // Retention dropped some of them: the client takes a snapshot.
    if (from < to && from + 1 < (await log.firstId())) return null;
    const ticketIds: string[] = [];
    const deviceIds: string[] = [];
    const feed: FeedItem[] = [];
    for (let at = from; at < to; ) {
      const page = await log.readAfter(at, 1000);
      if (!page.length) break;
      for (const e of page) {
        if (e.id > to) break;
        const t = translate(e, rt.gridOf, sla());
        if (t.ticket) ticketIds.push(t.ticket.id);
        const d = eventDeviceId(e.event);
        if (d) deviceIds.push(d);
        if (t.feed) feed.push(t.feed);
      }
      at = page[page.length - 1]!.id;
    }
    return { ticketIds, deviceIds, feed };
  }
  // The live model takes readings as they are accepted (durable in the spool), not after the
  // telemetry sink confirmed them: through an InfluxDB outage the screens stay current.
  const offReadings = opts.ingest.onDurable((batch) => rt.readings(batch));
  const close = rt.close.bind(rt);
  return Object.assign(rt, {
    async close() {
      follower.stop();
      offEnded();
      offReadings();
      await close();
    },
  });
}


/**
 * Pure: what one logged event changes on the screens: a ticket (as the screens get it) with the
 * ticker line that tells it and a personal notice, or a ticker line alone. Ticker lines of logged
 * events are `e<event id>`, the same whether sent live or in a catch-up.
 */
export function translate(logged: LoggedEvent, gridOf: (deviceId: string) => string | undefined, sla: SlaConfig): { ticket?: LiveTicket; feed?: FeedItem; notice?: RealtimeNotice['what'] } {
  const id = `e${logged.id}`;
  const e = logged.event;
  switch (e.type) {
    case 'ticket': {
      const t = e.ticket;
      return {
        ticket: liveTicket(t, sla),
        feed: { id, atMs: e.transition.atMs, type: 'ticket', gridId: t.gridId, priority: t.priority, deviceId: t.deviceId, ticketId: t.id, what: e.transition.action, note: e.transition.note },
        notice: NOTICES[e.transition.action],
      };
    }
    case 'occurrence': {
      const t = e.ticket;
      return {
        ticket: liveTicket(t, sla),
        feed: { id, atMs: t.lastSeenMs, type: 'occurrence', gridId: t.gridId, priority: t.priority, deviceId: t.deviceId, ticketId: t.id, what: e.created ? 'new' : 'occurrence', note: e.created ? t.title : null },
      };
    }
    case 'incident':
      return e.joined ? {} : { feed: { id, atMs: e.incident.createdMs, type: 'incident', gridId: e.incident.gridId, priority: e.incident.priority, deviceId: null, ticketId: null, what: 'incident', note: e.incident.title } };
    case 'alert': {
      const gridId = gridOf(e.deviceId);
      if (!gridId || (e.transition.to !== 'firing' && e.transition.to !== 'resolved')) return {};
      return { feed: { id, atMs: e.transition.atMs, type: 'alert', gridId, priority: e.priority, deviceId: e.deviceId, ticketId: null, what: e.transition.to, note: e.silenced ? e.silenced.reason : null } };
    }
    case 'device':
      // Connection changes reach the screens with the readings that carry them (status messages).
      return {};
  }
}
