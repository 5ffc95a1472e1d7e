import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { nextSendMs, pruneSent } from './limiter.ts';
import type { Delivery, DeliveryStore } from './queue.ts';
import type { Address, Channel, SendOutcome } from './types.ts';
import type { NotifyStats } from './stats.ts';
import { Coalesced } from './coalesce.ts';

/**
 * The sender: takes due deliveries, per target (channel + recipient) plans against the channel's
 * documented rate limits, sends everything pending that fits in one request (a digest past the
 * limit), and records the outcome. Failures are retried with backoff while still relevant (the
 * consumer cancels an accepted ticket's pages); a refusal for good or a day of failures goes to
 * the dead-letter list. Each target is sent to one request at a time; targets in parallel.
 */
export interface WorkerOptions {
  store: DeliveryStore;
  channel: (id: string) => Channel | undefined;
  address: (d: Delivery) => Promise<Address | null>;
  stats: NotifyStats;
  log: Pick<Logger, 'warn' | 'info' | 'error'>;
  clock?: () => number;
  /** Give up on a delivery this long after its event (default 24 h). */
  maxAgeMs?: number;
  backoff?: { baseMs: number; maxMs: number };
  /** At most this many targets in flight at once. */
  concurrency?: number;
}

export function backoffMs(attempts: number, o: { baseMs: number; maxMs: number }, rand = Math.random): number {
  const raw = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + 0.4 * rand()));
}

export class NotifyWorker {
  readonly #o: Required<Omit<WorkerOptions, 'clock'>> & { clock: () => number };
  readonly #sent = new Map<string, number[]>();
  readonly #seeded = new Set<string>();
  readonly #busy = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #failedAt = 0;
  readonly #runner: Coalesced;

  constructor(o: WorkerOptions) {
    const defined = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as WorkerOptions;
    this.#o = { maxAgeMs: 24 * 3600_000, backoff: { baseMs: 1000, maxMs: 15_000 }, concurrency: 16, clock: Date.now, ...defined };
    this.#runner = new Coalesced(
      () => this.#run(),
      (err) => {
        // The store is down, or a bug: log, and try again in a second rather than at once.
        this.#failedAt = Date.now();
        this.#o.log.error({ err }, 'notification worker failed (retrying in 1 s)');
      },
      () => void this.#schedule(),
    );
  }

  start(): void {
    this.kick();
  }

  /** Something new may be due: run now (or right after the run in progress). */
  kick(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#runner.kick();
  }

  async #schedule(): Promise<void> {
    if (this.#closed) return;
    const next = await this.#o.store.nextDueMs().catch(() => null);
    const wait = Date.now() - this.#failedAt < 1000 ? 1000 : next === null ? 1000 : Math.min(1000, Math.max(0, next - this.#o.clock()));
    this.#timer = setTimeout(() => this.kick(), wait);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#runner.close();
  }

  async #run(): Promise<void> {
    for (;;) {
      const now = this.#o.clock();
      const due = await this.#o.store.due(now, 1000);
      if (!due.length) return;
      const groups = new Map<string, Delivery[]>();
      for (const d of due) {
        const target = `${d.channelId}|${d.recipient}`;
        if (this.#busy.has(target)) continue;
        const g = groups.get(target);
        if (g) g.push(d);
        else groups.set(target, [d]);
      }
      const work = [...groups.entries()];
      let progressed = false;
      for (let i = 0; i < work.length; i += this.#o.concurrency) {
        const slice = work.slice(i, i + this.#o.concurrency);
        const sent = await Promise.all(slice.map(([target, list]) => this.#target(target, list)));
        if (sent.some(Boolean)) progressed = true;
      }
      if (!progressed) return;
    }
  }

  /** One request (or a deferral) for one target; true when a request was made. */
  async #target(target: string, list: Delivery[]): Promise<boolean> {
    const { store, stats } = this.#o;
    const first = list[0]!;
    const channel = this.#o.channel(first.channelId);
    const now = this.#o.clock();
    if (!channel) {
      await store.dead(list.map((d) => d.key), `channel ${first.channelId} is not configured`, now, false);
      stats.dead(first.channelType, list.length);
      return false;
    }
    const stale = list.filter((d) => now - d.eventMs > this.#o.maxAgeMs);
    if (stale.length) {
      await store.dead(stale.map((d) => d.key), `undeliverable for ${Math.round(this.#o.maxAgeMs / 3600_000)} h: ${stale[0]!.lastError ?? 'never sent'}`, now, false);
      stats.dead(channel.type, stale.length);
      list = list.filter((d) => !stale.includes(d));
      if (!list.length) return false;
    }
    if (!this.#seeded.has(target)) {
      this.#seeded.add(target);
      const longest = Math.max(...channel.limits.map((l) => l.windowMs));
      this.#sent.set(target, await store.sentTimes(first.channelId, first.recipient, now - longest - 1000));
    }
    const sentMs = pruneSent(this.#sent.get(target) ?? [], channel.limits, now);
    this.#sent.set(target, sentMs);
    const at = nextSendMs(sentMs, channel.limits, now);
    if (at > now) {
      await store.defer(list.map((d) => d.key), at);
      return false;
    }
    const address = await this.#o.address(first);
    if (!address) {
      await store.dead(list.map((d) => d.key), `no address for ${first.recipient} on ${channel.id}`, now, false);
      stats.dead(channel.type, list.length);
      return false;
    }
    const n = channel.fit(list.map((d) => d.notice), first.locale);
    const batch = list.slice(0, n);
    const keys = batch.map((d) => d.key);
    this.#busy.add(target);
    sentMs.push(now);
    let outcome: SendOutcome;
    try {
      outcome = await channel.send({ notices: batch.map((d) => d.notice), locale: first.locale, address, key: first.key });
    } finally {
      this.#busy.delete(target);
    }
    const done = this.#o.clock();
    stats.attempt(channel.type, batch.some((d) => d.attempts > 0));
    if (outcome.ok) {
      await store.delivered(keys, randomUUID(), now, done);
      stats.delivered(channel.type, batch.map((d) => done - d.eventMs));
      if (batch.length > 1) stats.merged(channel.type, batch.length);
    } else if (outcome.rateLimited) {
      // The provider's own limit (another sender on the same robot): wait a window, not an attempt lost.
      await store.failed(keys, outcome.error, done + Math.max(...channel.limits.map((l) => l.windowMs)), now);
      stats.failed(channel.type);
    } else if (outcome.retry) {
      const attempts = Math.max(...batch.map((d) => d.attempts)) + 1;
      await store.failed(keys, outcome.error, done + backoffMs(attempts, this.#o.backoff), now);
      stats.failed(channel.type);
    } else {
      await store.dead(keys, outcome.error, done, true);
      stats.failed(channel.type);
      stats.dead(channel.type, keys.length);
      this.#o.log.warn({ channel: channel.id, recipient: first.recipient, error: outcome.error }, 'notification refused for good: dead-lettered');
    }
    return true;
  }
}
