import type { Logger } from 'pino';
import type { EventLogReader, LoggedEvent, Silence } from '@gridhub/core';
import { FIRE_WINDOW_MS, type SlaConfig } from '@gridhub/rules';
import type { NotifyFile } from './config.ts';
import { mergeKeyOf, noticeFor } from './notices.ts';
import { deliveryKey, type DeliveryStore, type NewDelivery } from './queue.ts';
import { route, settledTicketOf, triggerOf, type Person, type Trigger } from './routing.ts';
import type { NotifyStats } from './stats.ts';
import type { Where } from './types.ts';
import { Coalesced } from './coalesce.ts';

/** What the consumer looks up around the pure routing core (the hub's store, users, rules). */
export interface NotifyDirectory {
  people(): Promise<Person[]>;
  silences(): readonly Silence[];
  /** Names of where a ticket's device (or an incident's building) is. */
  where(q: { deviceId: string | null; estateId: string; buildingId: string | null; unitId: string | null }): Promise<Where | null>;
  /** The assignees of these tickets (an incident pages the wardens its tickets went to). */
  assignees(ticketIds: readonly string[]): Promise<string[]>;
}

export interface ConsumerOptions {
  reader: EventLogReader;
  store: DeliveryStore;
  directory: NotifyDirectory;
  config: () => { file: NotifyFile; publicUrl: string | null; utcOffsetMin: number };
  stats: NotifyStats;
  log: Pick<Logger, 'warn' | 'info' | 'error'>;
  onEnqueued: () => void;
  clock?: () => number;
  sla?: SlaConfig;
  batch?: number;
  /** Pages for events older than this at the time they are read are recorded, not sent (default 24 h). */
  staleMs?: number;
}

export const CONSUMER = 'notify';

/**
 * Reads the event log by cursor and turns each event into deliveries: the cursor advances in the
 * same transaction as the deliveries it enqueued, so after a crash the batch is read again and
 * its keys (event id + recipient + channel) insert nothing twice. A first start begins at the
 * log's end (no pages for history).
 */
export class LogConsumer {
  readonly #o: ConsumerOptions;
  readonly #runner: Coalesced;
  #unsubscribe: (() => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(o: ConsumerOptions) {
    this.#o = o;
    this.#runner = new Coalesced(() => this.drain(), (err) => o.log.error({ err }, 'notification consumer failed (will retry)'));
  }

  async start(): Promise<void> {
    const { store, reader } = this.#o;
    if ((await store.cursor(CONSUMER)) === null) await store.setCursor(CONSUMER, await reader.lastId(), this.#now());
    this.#unsubscribe = reader.onAppend(() => this.kick());
    // A safety net: an append signal lost (another process wrote the log) is picked up within a second.
    this.#timer = setInterval(() => this.kick(), 1000);
    this.#timer.unref();
    this.kick();
  }

  #now(): number {
    return (this.#o.clock ?? Date.now)();
  }

  kick(): void {
    this.#runner.kick();
  }

  async close(): Promise<void> {
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    await this.#runner.close();
  }

  /** Reads and enqueues until the log is exhausted. */
  async drain(): Promise<void> {
    const { store, reader } = this.#o;
    for (;;) {
      const after = (await store.cursor(CONSUMER)) ?? 0;
      const events = await reader.readAfter(after, this.#o.batch ?? 200);
      if (!events.length) return;
      const first = await reader.firstId();
      if (first > after + 1 && after > 0) this.#o.log.warn({ cursor: after, firstId: first }, 'notification cursor is behind the log retention: some events were never read');
      const rows = await this.#pages(events);
      const settled = events.map((e) => settledTicketOf(e.event)).filter((id): id is string => id !== null);
      const r = await store.enqueue(CONSUMER, events[events.length - 1]!.id, rows, settled, this.#now(), FIRE_WINDOW_MS);
      this.#o.stats.enqueued += r.inserted;
      this.#o.stats.cancelled += r.cancelled;
      this.#o.stats.mergedPages += r.merged;
      if (rows.length || r.cancelled) this.#o.onEnqueued();
    }
  }

  async #pages(events: LoggedEvent[]): Promise<(NewDelivery & { reason?: string })[]> {
    const triggers = events.map((e) => ({ e, t: triggerOf(e.event) })).filter((x): x is { e: LoggedEvent; t: Trigger } => x.t !== null);
    if (!triggers.length) return [];
    const { file, publicUrl, utcOffsetMin } = this.#o.config();
    const people = await this.#o.directory.people();
    const silences = this.#o.directory.silences();
    const now = this.#now();
    const rows: (NewDelivery & { reason?: string })[] = [];
    for (const { e, t } of triggers) {
      if (t.event === 'incident') t.assigneeIds = await this.#o.directory.assignees(t.ticketIds);
      const pages = route(t, { config: file, people, silences, nowMs: now, utcOffsetMin });
      if (!pages.length) continue;
      const where = await this.#o.directory.where(
        t.event === 'incident'
          ? { deviceId: null, estateId: t.incident.estateId, buildingId: t.incident.buildingId, unitId: null }
          : { deviceId: t.ticket.deviceId, estateId: t.ticket.place.estate, buildingId: t.ticket.place.building, unitId: t.ticket.place.unit },
      );
      const assigneeId = t.event === 'incident' ? (t.assigneeIds[0] ?? null) : t.ticket.assigneeId;
      const assignee = assigneeId ? (people.find((p) => p.id === assigneeId)?.name ?? assigneeId) : null;
      const notice = noticeFor(t, where, assignee, publicUrl, this.#o.sla);
      const stale = now - e.atMs > (this.#o.staleMs ?? 24 * 3600_000);
      for (const p of pages) {
        const reason = p.suppressed ?? (stale ? 'stale: the event is older than a day' : undefined);
        rows.push({
          key: deliveryKey(e.id, p.recipient, p.channelId), eventId: e.id, eventMs: e.atMs, ticketId: notice.ticketId, incidentId: notice.incidentId,
          recipient: p.recipient, personId: p.personId, channelId: p.channelId, channelType: p.channelType, route: p.route, locale: p.locale, notice,
          mergeKey: mergeKeyOf(t), state: reason ? 'cancelled' : 'pending', nextAttemptMs: p.notBeforeMs ?? now, createdMs: now, reason,
        });
      }
    }
    return rows;
  }
}
