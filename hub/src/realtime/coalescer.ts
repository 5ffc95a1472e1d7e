import type { DeviceLive, FeedItem, LiveTicket, RealtimeDelta } from '@gridhub/core';

/**
 * One room's pending changes between two flushes: devices and tickets by id (the latest
 * wins), feed items appended up to a cap (the ticker only shows the latest anyway). A burst of
 * a thousand changes to one device becomes one entry. Pure; the server flushes it on a timer.
 */
export class RoomBuffer {
  #devices = new Map<string, DeviceLive>();
  #tickets = new Map<string, LiveTicket>();
  #gone = new Set<string>();
  #feed: FeedItem[] = [];
  #feedDropped = 0;
  #seq = 0;

  constructor(private readonly maxFeed: number) {}

  get empty(): boolean {
    return !this.#devices.size && !this.#tickets.size && !this.#gone.size && !this.#feed.length;
  }

  device(d: DeviceLive): void {
    this.#devices.set(d.id, d);
  }

  ticket(t: LiveTicket): void {
    this.#gone.delete(t.id);
    this.#tickets.set(t.id, t);
  }

  ticketGone(id: string): void {
    this.#tickets.delete(id);
    this.#gone.add(id);
  }

  feed(item: FeedItem): void {
    this.#feed.push(item);
    if (this.#feed.length > this.maxFeed) {
      this.#feed.shift();
      this.#feedDropped++;
    }
  }

  /** The delta to send, or null when nothing changed; resets the buffer. */
  take(atMs: number, eventId: number): RealtimeDelta | null {
    if (this.empty) return null;
    const delta: RealtimeDelta = {
      seq: ++this.#seq,
      atMs,
      eventId,
      devices: [...this.#devices.values()],
      tickets: [...this.#tickets.values()],
      ticketsGone: [...this.#gone],
      feed: this.#feed,
      feedDropped: this.#feedDropped,
    };
    this.#devices.clear();
    this.#tickets.clear();
    this.#gone.clear();
    this.#feed = [];
    this.#feedDropped = 0;
    return delta;
  }
}
