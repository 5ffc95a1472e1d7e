import { LatencyHistogram, type LatencySnapshot } from './latency.ts';
import { consoleLogger, type Spool, type SpoolLogger } from './spool.ts';

export interface DrainOptions<T> {
  /** Stores a batch; resolves only once it is stored, rejects when it is not. */
  write: (values: T[]) => Promise<void>;
  /** Called with each batch after the sink confirmed it and the checkpoint moved. */
  onConfirmed?: (values: T[]) => void;
  /** Records per sink write. Default 5,000. */
  batchSize?: number;
  /**
   * When the drain has caught up (its last batch was not full), the least time from one sink
   * write's start to the next; default 0. Records wait for it durably in the spool. Few, larger
   * writes: a SQLite sink rewrites each page a transaction touches (one per device at least), so
   * a drain that keeps up with a write per fsync group writes several kilobytes per reading; an
   * InfluxDB sink answers per request.
   */
  lingerMs?: number;
  /** Retry delay after a failed write: from minBackoffMs doubling to maxBackoffMs, with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  logger?: SpoolLogger;
  random?: () => number;
  now?: () => number;
}

export interface DrainStats {
  running: boolean;
  batches: number;
  /** Records the sink confirmed. */
  written: number;
  /** Failed sink writes (each retry that failed counts). */
  failures: number;
  consecutiveFailures: number;
  /** Delay before the next retry, ms; 0 when not backing off. */
  backoffMs: number;
  lastError: { message: string; atMs: number } | null;
  lastBatchSize: number;
  /** Duration of successful sink writes, per batch. */
  writeLatency: LatencySnapshot;
}

/**
 * Delay before retry number `attempt` (0-based): min * 2^attempt capped at max, then "equal
 * jitter" (half fixed, half random) so that many hubs do not retry in step. Pure.
 */
export function backoffDelayMs(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * The drain loop: take up to `batchSize` records, write them to the sink, and on success move
 * the spool's checkpoint; on failure keep the batch and retry it with exponential backoff.
 * One batch at a time, in order: the checkpoint never passes a record the sink has not stored.
 */
export class Drain<T> {
  private running = true;
  private readonly loopDone: Promise<void>;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly log: SpoolLogger;
  private readonly random: () => number;
  private readonly now: () => number;
  private cancelSleep: (() => void) | null = null;

  private batches = 0;
  private written = 0;
  private failures = 0;
  private consecutiveFailures = 0;
  private backoffMs = 0;
  private lastError: { message: string; atMs: number } | null = null;
  private lastBatchSize = 0;
  private readonly writeLatency = new LatencyHistogram();

  constructor(
    private readonly spool: Spool<T>,
    private readonly opts: DrainOptions<T>,
  ) {
    this.batchSize = opts.batchSize ?? 5000;
    this.lingerMs = opts.lingerMs ?? 0;
    this.minBackoffMs = opts.minBackoffMs ?? 100;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
    this.log = opts.logger ?? consoleLogger;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    this.loopDone = this.loop();
  }

  private async loop(): Promise<void> {
    while (this.running && !this.spool.isClosed) {
      let batch;
      try {
        batch = await this.spool.read(this.batchSize);
      } catch (err) {
        this.noteError(err);
        this.log.error({ err: String(err) }, 'spool read failed');
        await this.sleep(this.maxBackoffMs);
        continue;
      }
      if (!batch || batch.values.length === 0) continue;
      const startedMs = this.now();
      if (!(await this.writeWithRetry(batch.values))) {
        this.spool.rewind();
        return;
      }
      try {
        await this.spool.confirm(batch);
      } catch (err) {
        // Stored but not checkpointed: after a restart it is written again (idempotent sink).
        this.noteError(err);
        this.log.error({ err: String(err) }, 'spool checkpoint failed');
      }
      this.batches++;
      this.written += batch.values.length;
      this.lastBatchSize = batch.values.length;
      try {
        this.opts.onConfirmed?.(batch.values);
      } catch (err) {
        this.log.error({ err: String(err) }, 'a readings listener threw');
      }
      const linger = this.lingerMs - (this.now() - startedMs);
      if (batch.values.length < this.batchSize && linger > 0 && this.running) await this.sleep(linger);
    }
  }

  /** True once written; false when stopped before the batch could be written. */
  private async writeWithRetry(values: T[]): Promise<boolean> {
    for (let attempt = 0; this.running; attempt++) {
      const t0 = this.now();
      try {
        await this.opts.write(values);
        this.writeLatency.observe(this.now() - t0);
        if (this.consecutiveFailures > 0) this.log.warn({ failures: this.consecutiveFailures }, 'sink recovered');
        this.consecutiveFailures = 0;
        this.backoffMs = 0;
        return true;
      } catch (err) {
        this.failures++;
        this.consecutiveFailures++;
        this.noteError(err);
        if (!this.running) return false;
        this.backoffMs = backoffDelayMs(attempt, this.minBackoffMs, this.maxBackoffMs, this.random);
        if (this.consecutiveFailures === 1 || this.consecutiveFailures % 20 === 0) {
          this.log.warn({ err: String(err), failures: this.consecutiveFailures, retryInMs: this.backoffMs }, 'sink write failed; retrying');
        }
        await this.sleep(this.backoffMs);
      }
    }
    return false;
  }

  private noteError(err: unknown): void {
    this.lastError = { message: err instanceof Error ? err.message : String(err), atMs: this.now() };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.cancelSleep = null;
        resolve();
      }
      this.cancelSleep = done;
    });
  }

  /** Stops after the write in flight (its outcome is kept); an unwritten batch stays in the spool. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelSleep?.();
    this.spool.interruptRead();
    await this.loopDone;
  }

  stats(): DrainStats {
    return {
      running: this.running,
      batches: this.batches,
      written: this.written,
      failures: this.failures,
      consecutiveFailures: this.consecutiveFailures,
      backoffMs: this.backoffMs,
      lastError: this.lastError,
      lastBatchSize: this.lastBatchSize,
      writeLatency: this.writeLatency.snapshot(),
    };
  }
}

export function startDrain<T>(spool: Spool<T>, opts: DrainOptions<T>): Drain<T> {
  return new Drain(spool, opts);
}
