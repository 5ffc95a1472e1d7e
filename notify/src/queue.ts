import { sql, type Kysely } from 'kysely';
import { readCursor, writeCursor } from '@gridhub/store';
import type { Locale, Notice } from './types.ts';

/**
 * The durable delivery queue (SQLite or PostgreSQL, the hub's own database). A delivery's key is
 * its idempotency key: `{event id}|{recipient}|{channel}`. States:
 *   pending   -> waiting for its first attempt (or its rate window, quiet hours)
 *   failed    -> an attempt failed; retried with backoff at next_attempt_ms
 *   delivered -> the provider took it (alone, or in a digest: request_id names the request)
 *   cancelled -> no longer relevant (the ticket was accepted), silenced, or merged into an earlier page
 *   dead      -> gave up (the provider refused it for good, or it stayed undeliverable too long):
 *                the dead-letter list operators see
 */
export const DELIVERY_STATES = ['pending', 'failed', 'delivered', 'cancelled', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface Delivery {
  key: string;
  eventId: number;
  eventMs: number;
  ticketId: string | null;
  incidentId: string | null;
  recipient: string;
  personId: string | null;
  channelId: string;
  channelType: string;
  route: string;
  locale: Locale;
  notice: Notice;
  mergeKey: string | null;
  state: DeliveryState;
  attempts: number;
  nextAttemptMs: number;
  lastError: string | null;
  requestId: string | null;
  sentMs: number | null;
  outcomeMs: number | null;
  createdMs: number;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function fromRow(r: Row): Delivery {
  return {
    key: String(r.key), eventId: num(r.event_id), eventMs: num(r.event_ms), ticketId: (r.ticket_id as string) ?? null, incidentId: (r.incident_id as string) ?? null,
    recipient: String(r.recipient), personId: (r.person_id as string) ?? null, channelId: String(r.channel_id), channelType: String(r.channel_type), route: String(r.route),
    locale: r.locale as Locale, notice: JSON.parse(String(r.notice)) as Notice, mergeKey: (r.merge_key as string) ?? null, state: r.state as DeliveryState,
    attempts: num(r.attempts), nextAttemptMs: num(r.next_attempt_ms), lastError: (r.last_error as string) ?? null, requestId: (r.request_id as string) ?? null,
    sentMs: numOrNull(r.sent_ms), outcomeMs: numOrNull(r.outcome_ms), createdMs: num(r.created_ms),
  };
}

export type NewDelivery = Omit<Delivery, 'attempts' | 'lastError' | 'requestId' | 'sentMs' | 'outcomeMs'>;

function toRow(d: NewDelivery): Row {
  return {
    key: d.key, event_id: d.eventId, event_ms: d.eventMs, ticket_id: d.ticketId, incident_id: d.incidentId, recipient: d.recipient, person_id: d.personId,
    channel_id: d.channelId, channel_type: d.channelType, route: d.route, locale: d.locale, notice: JSON.stringify(d.notice), merge_key: d.mergeKey,
    state: d.state, attempts: 0, next_attempt_ms: d.nextAttemptMs, last_error: d.state === 'cancelled' ? (d as NewDelivery & { reason?: string }).reason ?? null : null,
    created_ms: d.createdMs,
  };
}

export const deliveryKey = (eventId: number, recipient: string, channelId: string): string => `${eventId}|${recipient}|${channelId}`;
const OPEN: DeliveryState[] = ['pending', 'failed'];

export class DeliveryStore {
  constructor(private readonly db: Kysely<any>) {}

  /** The consumer's position in the event log (a row of the hub's `cursors`), null before its first start. */
  async cursor(consumer: string): Promise<number | null> {
    return readCursor<number>(this.db, consumer);
  }

  async setCursor(consumer: string, afterId: number, nowMs: number): Promise<void> {
    await writeCursor(this.db, consumer, afterId, nowMs);
  }

  /**
   * One transaction: the deliveries for a batch of events (each key once: a replayed batch after a
   * crash inserts nothing new), a later detector's page merged into an earlier one to the same
   * recipient within `mergeWindowMs`, pending pages of settled tickets cancelled, and the cursor.
   */
  async enqueue(consumer: string, afterId: number, rows: (NewDelivery & { reason?: string })[], settledTickets: readonly string[], nowMs: number, mergeWindowMs: number): Promise<{ inserted: number; merged: number; cancelled: number }> {
    return this.db.transaction().execute(async (tx) => {
      let inserted = 0;
      let merged = 0;
      for (const d of rows) {
        let row = d;
        if (d.mergeKey && d.state === 'pending') {
          const earlier = await tx
            .selectFrom('notify_deliveries').select('key')
            .where('recipient', '=', d.recipient).where('channel_id', '=', d.channelId).where('merge_key', '=', d.mergeKey).where('created_ms', '>', d.createdMs - mergeWindowMs).where('key', '!=', d.key)
            .executeTakeFirst();
          if (earlier) {
            row = { ...d, state: 'cancelled', reason: `merged into ${String(earlier.key)}` };
            merged++;
          }
        }
        const r = await tx.insertInto('notify_deliveries').values(toRow(row)).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
        inserted += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      let cancelled = 0;
      if (settledTickets.length) {
        const r = await tx
          .updateTable('notify_deliveries').set({ state: 'cancelled', last_error: 'ticket accepted: no longer relevant', outcome_ms: nowMs })
          .where('ticket_id', 'in', [...settledTickets]).where('state', 'in', OPEN)
          .executeTakeFirst();
        cancelled = Number(r.numUpdatedRows);
      }
      await writeCursor(tx, consumer, afterId, nowMs);
      return { inserted, merged, cancelled };
    });
  }

  async due(nowMs: number, limit: number): Promise<Delivery[]> {
    const rows = await this.db.selectFrom('notify_deliveries').selectAll().where('state', 'in', OPEN).where('next_attempt_ms', '<=', nowMs).orderBy('next_attempt_ms').orderBy('created_ms').limit(limit).execute();
    return rows.map(fromRow);
  }

  async nextDueMs(): Promise<number | null> {
    const r = await this.db.selectFrom('notify_deliveries').select((eb) => eb.fn.min('next_attempt_ms').as('m')).where('state', 'in', OPEN).executeTakeFirst();
    return numOrNull(r?.m);
  }

  async delivered(keys: readonly string[], requestId: string, sentMs: number, nowMs: number): Promise<void> {
    await this.db.updateTable('notify_deliveries').set({ state: 'delivered', request_id: requestId, sent_ms: sentMs, outcome_ms: nowMs, last_error: null, attempts: sql`attempts + 1` }).where('key', 'in', [...keys]).where('state', 'in', OPEN).execute();
  }

  async failed(keys: readonly string[], error: string, nextAttemptMs: number, sentMs: number): Promise<void> {
    await this.db.updateTable('notify_deliveries').set({ state: 'failed', last_error: error.slice(0, 500), next_attempt_ms: nextAttemptMs, sent_ms: sentMs, attempts: sql`attempts + 1` }).where('key', 'in', [...keys]).where('state', 'in', OPEN).execute();
  }

  async dead(keys: readonly string[], error: string, nowMs: number, attempted: boolean): Promise<void> {
    await this.db
      .updateTable('notify_deliveries')
      .set({ state: 'dead', last_error: error.slice(0, 500), outcome_ms: nowMs, ...(attempted ? { attempts: sql`attempts + 1`, sent_ms: nowMs } : {}) })
      .where('key', 'in', [...keys]).where('state', 'in', OPEN).execute();
  }

  /** Not now (the target's rate window, the provider's own limit): later, without counting an attempt. */
  async defer(keys: readonly string[], untilMs: number): Promise<void> {
    await this.db.updateTable('notify_deliveries').set({ next_attempt_ms: untilMs }).where('key', 'in', [...keys]).where('state', 'in', OPEN).execute();
  }

  /** An operator puts a dead delivery back in the queue. */
  async requeue(key: string, nowMs: number): Promise<boolean> {
    const r = await this.db.updateTable('notify_deliveries').set({ state: 'pending', next_attempt_ms: nowMs, outcome_ms: null }).where('key', '=', key).where('state', '=', 'dead').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async get(key: string): Promise<Delivery | null> {
    const r = await this.db.selectFrom('notify_deliveries').selectAll().where('key', '=', key).executeTakeFirst();
    return r ? fromRow(r) : null;
  }

  async list(filter: { state?: DeliveryState; ticketId?: string; limit?: number }): Promise<Delivery[]> {
    let q = this.db.selectFrom('notify_deliveries').selectAll();
    if (filter.state) q = q.where('state', '=', filter.state);
    if (filter.ticketId) q = q.where('ticket_id', '=', filter.ticketId);
    return (await q.orderBy('created_ms', 'desc').orderBy('key').limit(filter.limit ?? 200).execute()).map(fromRow);
  }

  /** Request times to one target within `sinceMs` (seeds the rate planner after a restart). */
  async sentTimes(channelId: string, recipient: string, sinceMs: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('notify_deliveries').select(['request_id', (eb) => eb.fn.max('sent_ms').as('t')])
      .where('channel_id', '=', channelId).where('recipient', '=', recipient).where('sent_ms', '>', sinceMs).where('request_id', 'is not', null)
      .groupBy('request_id').execute();
    return rows.map((r) => num(r.t));
  }

  async countByState(): Promise<{ channelType: string; state: DeliveryState; n: number }[]> {
    const rows = await this.db.selectFrom('notify_deliveries').select(['channel_type', 'state', (eb) => eb.fn.countAll().as('n')]).groupBy(['channel_type', 'state']).execute();
    return rows.map((r) => ({ channelType: String(r.channel_type), state: r.state as DeliveryState, n: num(r.n) }));
  }
}
