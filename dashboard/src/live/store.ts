import type { DeviceLive, FeedItem, LiveTicket, RealtimeDelta, RealtimeResume, RealtimeSnapshot, RealtimeUser } from '@gridhub/core';

export interface LiveState {
  /** Bumped on every change. */
  version: number;
  /** Bumped when tickets change / when devices change: memoise derived views on these. */
  ticketsVersion: number;
  devicesVersion: number;
  connected: boolean;
  /** A snapshot has arrived since the last (re)connect. */
  ready: boolean;
  user: RealtimeUser | null;
  devices: ReadonlyMap<string, DeviceLive>;
  tickets: ReadonlyMap<string, LiveTicket>;
  feed: readonly FeedItem[];
  /** When the last snapshot or delta arrived (performance.now()). */
  lastMessageAt: number;
}

const FEED_KEEP = 200;

/**
 * The client's copy of what the hub sees, fed by one socket (LiveProvider). A snapshot replaces
 * everything; a delta updates in place. Components read it through `useLive` (React's
 * useSyncExternalStore); none of them touches the socket.
 */
export class LiveStore {
  #devices = new Map<string, DeviceLive>();
  #tickets = new Map<string, LiveTicket>();
  #feed: FeedItem[] = [];
  #listeners = new Set<() => void>();
  /** Where this copy stands in the hub's event log, for a reconnect (null before the first snapshot). */
  #resume: RealtimeResume | null = null;
  #state: LiveState = { version: 0, ticketsVersion: 0, devicesVersion: 0, connected: false, ready: false, user: null, devices: this.#devices, tickets: this.#tickets, feed: [], lastMessageAt: 0 };

  subscribe = (fn: () => void): (() => void) => {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  };

  get = (): LiveState => this.#state;

  #publish(patch: Partial<LiveState>): void {
    this.#state = { ...this.#state, ...patch, version: this.#state.version + 1, devices: this.#devices, tickets: this.#tickets, feed: this.#feed };
    // For tests and monitoring: <html data-live="ready"> once a snapshot is in.
    document.documentElement.dataset.live = this.#state.connected && this.#state.ready ? 'ready' : 'offline';
    for (const fn of this.#listeners) fn();
  }

  /** What a reconnect hands back to the hub (RealtimeResume), if anything. */
  resumeFrom(): Partial<RealtimeResume> {
    return this.#resume ?? {};
  }

  connected(on: boolean): void {
    this.#publish(on ? { connected: true } : { connected: false, ready: false });
  }

  snapshot(s: RealtimeSnapshot): void {
    this.#devices = new Map(s.devices.map((d) => [d.id, d]));
    this.#tickets = new Map(s.tickets.map((t) => [t.id, t]));
    this.#feed = s.feed.slice(-FEED_KEEP);
    this.#resume = { lastEventId: s.eventId, lastAtMs: s.atMs };
    this.#publish({ ready: true, user: s.user, lastMessageAt: performance.now(), ticketsVersion: this.#state.ticketsVersion + 1, devicesVersion: this.#state.devicesVersion + 1 });
  }

  delta(d: RealtimeDelta): void {
    for (const x of d.devices) this.#devices.set(x.id, x);
    for (const t of d.tickets) this.#tickets.set(t.id, t);
    for (const id of d.ticketsGone) this.#tickets.delete(id);
    if (d.feed.length) {
      const known = new Set(this.#feed.map((f) => f.id));
      this.#feed = [...this.#feed, ...d.feed.filter((f) => !known.has(f.id))].slice(-FEED_KEEP);
    }
    if (this.#resume) this.#resume = { lastEventId: Math.max(this.#resume.lastEventId, d.eventId), lastAtMs: d.atMs };
    const ticketsChanged = d.tickets.length > 0 || d.ticketsGone.length > 0;
    this.#publish({
      ...(d.resumed ? { ready: true } : {}),
      lastMessageAt: performance.now(),
      ticketsVersion: this.#state.ticketsVersion + (ticketsChanged ? 1 : 0),
      devicesVersion: this.#state.devicesVersion + (d.devices.length ? 1 : 0),
    });
  }

  /** After an action the REST reply is the newest copy: show it at once. */
  upsertTicket(t: LiveTicket): void {
    const prev = this.#tickets.get(t.id);
    if (prev && prev.version > t.version) return;
    this.#tickets.set(t.id, { ...t, deadlines: t.deadlines ?? prev?.deadlines ?? {}, floor: t.floor ?? prev?.floor ?? null });
    this.#publish({ ticketsVersion: this.#state.ticketsVersion + 1 });
  }
}
