import { DEFAULT_LIVENESS, livenessOf, type DeviceLive, type FeedItem, type LiveTicket, type Reading, type RealtimeDelta, type RealtimeSnapshot, type RealtimeUser } from '@gridhub/core';
import { seesDevice, seesTicket } from './rooms.ts';

/** Ticket states in which the device is still "in alarm" on the plan. */
const ALARM_STATUSES = new Set(['new', 'dispatched', 'returned', 'accepted', 'on_site', 'with_department']);
const DAY_MS = 86_400_000;

export interface TicketChange {
  ticket: LiveTicket;
  /** Where the ticket was before this change (null for a new ticket). */
  before: Pick<LiveTicket, 'gridId' | 'department'> | null;
  /** Devices whose alarm flag changed with it. */
  devices: DeviceLive[];
}

/**
 * What the screens see, kept in memory: every device's live state, open tickets (and those
 * closed in the last day), the latest feed items. Snapshots are cut from it per user without a
 * database round trip; deltas are what changed in it. Pure apart from the clock passed in.
 */
export class LiveModel {
  readonly devices = new Map<string, DeviceLive>();
  readonly tickets = new Map<string, LiveTicket>();
  #connected = new Map<string, boolean>();
  #alarmTickets = new Map<string, Set<string>>();
  #feed: FeedItem[] = [];
  #feedId = 0;
  /** The event log id up to which every event has been applied. */
  eventId = 0;

  constructor(private readonly feedSize: number) {}

  loadDevices(devices: readonly (DeviceLive & { connected?: boolean | null })[]): void {
    for (const { connected, ...d } of devices) {
      this.devices.set(d.id, { ...d, alarm: false });
      if (connected !== undefined && connected !== null) this.#connected.set(d.id, connected);
    }
  }

  /** Readings as accepted (durable in the spool): each touched device's new state, and feed items for events. */
  applyReadings(readings: readonly Reading[], nowMs: number): { devices: DeviceLive[]; feed: FeedItem[] } {
    const changed = new Map<string, DeviceLive>();
    const feed: FeedItem[] = [];
    for (const r of readings) {
      const prev = changed.get(r.deviceId) ?? this.devices.get(r.deviceId);
      if (r.message === 'status') this.#connected.set(r.deviceId, r.fields.state === 'online');
      const battery = typeof r.fields.battery_pct === 'number' ? r.fields.battery_pct : (prev?.batteryPct ?? null);
      const event = r.message === 'event' && typeof r.fields.event === 'string' ? r.fields.event : null;
      const lastSeenMs = Math.max(prev?.lastSeenMs ?? 0, r.rxMs);
      const next: DeviceLive = {
        id: r.deviceId,
        kind: r.kind,
        gridId: r.place.grid,
        estateId: r.place.estate,
        buildingId: prev?.buildingId ?? r.place.building,
        floor: prev?.floor ?? null,
        liveness: livenessOf(DEFAULT_LIVENESS[r.kind], lastSeenMs, this.#connected.get(r.deviceId) ?? null, nowMs),
        alarm: this.#alarmTickets.has(r.deviceId),
        batteryPct: battery,
        lastSeenMs,
        lastEvent: event ?? prev?.lastEvent ?? null,
      };
      changed.set(r.deviceId, next);
      if (event) feed.push(this.addFeed({ atMs: r.rxMs, type: 'device', gridId: r.place.grid, priority: null, deviceId: r.deviceId, ticketId: null, what: event, note: null }));
    }
    for (const d of changed.values()) this.devices.set(d.id, d);
    return { devices: [...changed.values()], feed };
  }

  /** Liveness moves with the clock (online -> late -> offline): the devices whose level changed. */
  refreshLiveness(nowMs: number): DeviceLive[] {
    const changed: DeviceLive[] = [];
    for (const d of this.devices.values()) {
      const liveness = livenessOf(DEFAULT_LIVENESS[d.kind], d.lastSeenMs, this.#connected.get(d.id) ?? null, nowMs);
      if (liveness !== d.liveness) {
        const next = { ...d, liveness };
        this.devices.set(d.id, next);
        changed.push(next);
      }
    }
    return changed;
  }

  applyTicket(input: LiveTicket): TicketChange {
    const prev = this.tickets.get(input.id);
    const ticket: LiveTicket = { ...input, floor: this.devices.get(input.deviceId)?.floor ?? input.floor ?? null };
    this.tickets.set(ticket.id, ticket);
    const inAlarm = ALARM_STATUSES.has(ticket.status);
    const set = this.#alarmTickets.get(ticket.deviceId) ?? new Set<string>();
    const was = set.size > 0;
    if (inAlarm) set.add(ticket.id);
    else set.delete(ticket.id);
    if (set.size) this.#alarmTickets.set(ticket.deviceId, set);
    else this.#alarmTickets.delete(ticket.deviceId);
    const devices: DeviceLive[] = [];
    const device = this.devices.get(ticket.deviceId);
    if (device && was !== set.size > 0) {
      const next = { ...device, alarm: set.size > 0 };
      this.devices.set(device.id, next);
      devices.push(next);
    }
    return { ticket, before: prev ? { gridId: prev.gridId, department: prev.department } : null, devices };
  }

  /** Drops tickets closed more than a day ago (called now and then). */
  prune(nowMs: number): void {
    for (const [id, t] of this.tickets) {
      if (t.status === 'closed' && typeof t.closedMs === 'number' && nowMs - t.closedMs > DAY_MS) this.tickets.delete(id);
    }
  }

  /** Adds a ticker line; one told by a logged event keeps its id (`e<event id>`), so a client never shows it twice. */
  addFeed(item: Omit<FeedItem, 'id'> & { id?: string }): FeedItem {
    const full = { ...item, id: item.id ?? `f${++this.#feedId}` };
    this.#feed.push(full);
    if (this.#feed.length > this.feedSize) this.#feed.splice(0, this.#feed.length - this.feedSize);
    return full;
  }

  snapshot(user: RealtimeUser, nowMs: number): RealtimeSnapshot {
    const devices: DeviceLive[] = [];
    for (const d of this.devices.values()) if (seesDevice(user, d)) devices.push(d);
    const tickets: LiveTicket[] = [];
    for (const t of this.tickets.values()) if (seesTicket(user, t)) tickets.push(t);
    const ids = new Set(tickets.map((t) => t.id));
    const everything = user.gridIds === null && user.department === null;
    const feed = this.#feed.filter((f) => everything || user.gridIds?.includes(f.gridId) || (f.ticketId !== null && ids.has(f.ticketId)));
    return { atMs: nowMs, eventId: this.eventId, user, devices, tickets, feed };
  }

  /**
   * What a reconnecting user missed, cut to their scope: the tickets the missed events touched
   * (as they are now; those that left the user's scope as gone), devices heard from since
   * `sinceMs` or touched, and the events' ticker lines.
   */
  catchUp(user: RealtimeUser, missed: { ticketIds: readonly string[]; deviceIds: readonly string[]; feed: readonly FeedItem[] }, sinceMs: number, nowMs: number): RealtimeDelta {
    const tickets: LiveTicket[] = [];
    const gone: string[] = [];
    for (const id of new Set(missed.ticketIds)) {
      const t = this.tickets.get(id);
      if (t && seesTicket(user, t)) tickets.push(t);
      else if (t) gone.push(id);
    }
    const named = new Set(missed.deviceIds);
    const devices: DeviceLive[] = [];
    for (const d of this.devices.values()) if (seesDevice(user, d) && (named.has(d.id) || (d.lastSeenMs ?? 0) >= sinceMs)) devices.push(d);
    const ids = new Set(tickets.map((t) => t.id));
    const everything = user.gridIds === null && user.department === null;
    const feed = missed.feed.filter((f) => everything || user.gridIds?.includes(f.gridId) || (f.ticketId !== null && ids.has(f.ticketId)));
    return { seq: 0, atMs: nowMs, eventId: this.eventId, resumed: true, devices, tickets, ticketsGone: gone, feed, feedDropped: 0 };
  }
}
