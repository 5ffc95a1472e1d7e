import type { BrokerLimits, ShedReason } from './types.ts';

/**
 * Load shedding for inbound PUBLISH (the hub's rate-limit policy). Per client, a token bucket
 * (`perClientRatePerSec`, `perClientBurst`); globally, onDeviceMessage calls in flight and
 * event-loop lag. What happens to a message over a limit depends on its QoS:
 *
 * - QoS 0 is dropped and counted (at-most-once allows it).
 * - QoS 1 is never dropped and never PUBACKed unless onDeviceMessage resolved. Over the rate it
 *   is *held*: the broker waits for the token before going on, and aedes does not read the
 *   client's socket while a packet of its last read is pending, so TCP backpressure slows the
 *   sender to the rate without losing anything. A message that would wait longer than
 *   `qos1MaxDelayMs` (a client pipelining far past its rate) disconnects the client instead;
 *   it redelivers what was not acknowledged after reconnecting. The global limits do not apply
 *   to QoS 1: the per-socket hold already bounds what one client can have in flight.
 */
export type Admission =
  | { action: 'pass' }
  | { action: 'hold'; delayMs: number }
  | { action: 'drop'; reason: ShedReason }
  | { action: 'disconnect'; reason: ShedReason };

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  private refill(nowMs: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) * this.ratePerSec) / 1000);
    this.lastMs = nowMs;
  }

  /** Takes a token if one is there. */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Reserves a token, going into debt if needed; returns how long until it is really there. */
  reserve(nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.ratePerSec;
  }

  /** Gives back a reservation that was not used. */
  refund(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }
}

export interface LoadState {
  ingestInFlight: number;
  eventLoopLagMs: number;
}

/** Pure admission decision for one inbound PUBLISH. `isDeviceUplink`: it goes to onDeviceMessage. */
export function admit(bucket: TokenBucket, qos: number, isDeviceUplink: boolean, load: LoadState, limits: BrokerLimits, nowMs: number): Admission {
  if (qos === 0) {
    if (!bucket.tryTake(nowMs)) return { action: 'drop', reason: 'rate' };
    if (load.eventLoopLagMs > limits.maxEventLoopLagMs) return { action: 'drop', reason: 'event_loop_lag' };
    if (isDeviceUplink && load.ingestInFlight >= limits.maxIngestInFlight) return { action: 'drop', reason: 'ingest_overload' };
    return { action: 'pass' };
  }
  const delayMs = bucket.reserve(nowMs);
  if (delayMs === 0) return { action: 'pass' };
  if (delayMs > limits.qos1MaxDelayMs) {
    bucket.refund();
    return { action: 'disconnect', reason: 'rate_disconnect' };
  }
  return { action: 'hold', delayMs };
}

/** Event-loop lag, sampled by a timer's drift (unref'd; stop() on close). */
export class LagMonitor {
  lagMs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 100) {
    let expected = Date.now() + intervalMs;
    this.timer = setInterval(() => {
      const now = Date.now();
      this.lagMs = Math.max(0, now - expected);
      expected = now + intervalMs;
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
