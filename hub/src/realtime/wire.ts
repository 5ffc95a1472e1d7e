import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { DEFAULT_LIVENESS, livenessOf, type DeviceLive, type LiveTicket, type RealtimeNotice, type RulesEvent, type Ticket, type TicketActionName } from '@gridhub/core';
import type { Ingest } from '@gridhub/ingest';
import { ticketTimers, type SlaConfig } from '@gridhub/rules';
import { deadlines } from '../api/tickets.ts';
import { realtimeUserOf, sessionToken } from '../auth/index.ts';
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
 * durable in the spool) and every RulesEvent from `hub.events` turned into coalesced deltas.
 */
export async function attachRealtime(opts: { server: HttpServer; hub: HubServices; ingest: Ingest; log: Logger; flushIntervalMs?: number }): Promise<Realtime> {
  const { hub, log } = opts;
  const sla = () => hub.rules.tickets.sla;
  const rt = createRealtime({
    server: opts.server,
    flushIntervalMs: opts.flushIntervalMs,
    now: hub.now,
    onError: (err, what) => log.error({ err }, what),
    async authenticate({ cookie, token }) {
      const t = token ?? sessionToken({ cookie });
      const user = t ? await hub.auth.users.sessionUser(t) : undefined;
      return user ? realtimeUserOf(user) : null;
    },
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
  await rt.start();

  const onEvent = (e: RulesEvent) => {
    switch (e.type) {
      case 'ticket': {
        const t = e.ticket;
        const feed = { atMs: e.transition.atMs, type: 'ticket' as const, gridId: t.gridId, priority: t.priority, deviceId: t.deviceId, ticketId: t.id, what: e.transition.action, note: e.transition.note };
        rt.ticket(liveTicket(t, sla()), feed, NOTICES[e.transition.action]);
        return;
      }
      case 'occurrence': {
        const t = e.ticket;
        const feed = { atMs: t.lastSeenMs, type: 'occurrence' as const, gridId: t.gridId, priority: t.priority, deviceId: t.deviceId, ticketId: t.id, what: e.created ? 'new' : 'occurrence', note: e.created ? t.title : null };
        rt.ticket(liveTicket(t, sla()), feed);
        return;
      }
      case 'incident':
        if (!e.joined) rt.feed({ atMs: e.incident.createdMs, type: 'incident', gridId: e.incident.gridId, priority: e.incident.priority, deviceId: null, ticketId: null, what: 'incident', note: e.incident.title });
        return;
      case 'alert': {
        const gridId = rt.gridOf(e.deviceId);
        if (gridId && (e.transition.to === 'firing' || e.transition.to === 'resolved')) {
          rt.feed({ atMs: e.transition.atMs, type: 'alert', gridId, priority: e.priority, deviceId: e.deviceId, ticketId: null, what: e.transition.to, note: e.silenced ? e.silenced.reason : null });
        }
        return;
      }
    }
  };
  hub.rules.events.on('event', onEvent);
  // The live model takes readings as they are accepted (durable in the spool), not after the
  // telemetry sink confirmed them: through an InfluxDB outage the screens stay current.
  const offReadings = opts.ingest.onDurable((batch) => rt.readings(batch));
  const close = rt.close.bind(rt);
  return Object.assign(rt, {
    async close() {
      hub.rules.events.off('event', onEvent);
      offReadings();
      await close();
    },
  });
}

