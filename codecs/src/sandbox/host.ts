import { Worker } from 'node:worker_threads';
import type { HubErrorCode } from '@gridhub/core';
import { threadCpuMs } from '@gridhub/core/thread-priority';
import type { CodecError, CodecLogger, TtnDecodeResult } from '../types.ts';

/**
 * Runs uploaded TTN-format decoders (`decodeUplink(input)`) in QuickJS inside one worker thread:
 * the hub's event loop never runs a decoder, so a decoder that loops for its whole time limit delays
 * that frame only, never an alarm arriving meanwhile (bench:codecs and the hostile-codec test
 * measure it). Inside the worker each codec has its own runtime with a time limit per call, a memory
 * limit and a stack limit. If the worker itself stops answering (time limit + 250 ms without progress:
 * a single built-in call such as a huge `Array.fill` does not check the deadline)
 * it is terminated and replaced, and the frames behind the stuck one are sent again.
 */
export interface SandboxLimits {
  /** Per call, like ChirpStack's 100 ms. */
  timeLimitMs: number;
  /** For compiling an uploaded file (and the top level it runs), once per load. */
  loadTimeLimitMs: number;
  memoryLimitBytes: number;
  stackLimitBytes: number;
  maxOutputChars: number;
  /** Frames waiting for the worker beyond this are refused with HUB_ERR_CODEC_BUSY. */
  maxPending: number;
  /**
   * A codec stopped (time or memory) this many times in a row is suspended for `suspendMs`: its
   * frames are refused at once instead of holding the worker 100 ms each, so one hostile codec
   * cannot slow every other uploaded codec's frames (they share the worker).
   */
  suspendAfter: number;
  suspendMs: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  timeLimitMs: 100,
  // An admin's upload, once: on a busy hub the niced sandbox thread may wait its turn for a CPU,
  // and an upload must not fail for that (frames keep their 100 ms).
  loadTimeLimitMs: 5_000,
  memoryLimitBytes: 32 * 1024 * 1024,
  stackLimitBytes: 512 * 1024,
  maxOutputChars: 64 * 1024,
  maxPending: 2_000,
  suspendAfter: 3,
  suspendMs: 60_000,
};

/** How long past the time limit the host waits before it replaces an unresponsive worker. */
export const WATCHDOG_MARGIN_MS = 250;
/**
 * The worker runs at nice 19 (worker.mjs): on a machine short of CPU it may wait seconds for a
 * slice, and a good decoder's frame was failed as a timeout by wall time alone (seen in CI, three
 * test files on two cores). So the watchdog also asks the kernel how much CPU the thread had
 * since it began the frame: under the time limit, it is starved, not stuck, and is given up to
 * this much longer (Linux; elsewhere wall time alone decides).
 */
export const STARVED_GRACE_MS = 10_000;

const KIND_CODES: Record<string, HubErrorCode> = {
  timeout: 'HUB_ERR_CODEC_TIMEOUT',
  memory: 'HUB_ERR_CODEC_MEMORY',
  forbidden: 'HUB_ERR_CODEC_FORBIDDEN',
  threw: 'HUB_ERR_CODEC_THREW',
  invalid: 'HUB_ERR_CODEC_INVALID',
  output: 'HUB_ERR_CODEC_OUTPUT',
  missing: 'HUB_ERR_CODEC_UNKNOWN_MODEL',
};

interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  kind?: string;
  message?: string;
}

interface Pending {
  msg: { id: number; op: string; key: string; source?: string; input?: unknown };
  resolve(r: Reply): void;
}

export type SandboxResult = { ok: true; value: unknown } | { ok: false; error: { code: HubErrorCode; message: string } };

export class TtnSandbox {
  readonly limits: SandboxLimits;
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Sources the host knows, re-sent to a replacement worker. */
  private readonly sources = new Map<string, string>();
  private loadedInWorker = new Set<string>();
  private lastProgressMs = 0;
  /** The worker thread's kernel id (from its ready message), and the frame the watchdog is timing with the thread's CPU at its first look. */
  private tid: number | null = null;
  private watched: { id: number; cpuMs: number } | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private closed = false;
  /** Consecutive stops per codec, and until when a codec is suspended. */
  private readonly strikes = new Map<string, number>();
  private readonly suspendedUntil = new Map<string, number>();
  /** Workers replaced after they stopped answering (for /metrics and tests). */
  restarts = 0;

  constructor(limits: Partial<SandboxLimits> = {}, private readonly logger?: CodecLogger) {
    this.limits = { ...DEFAULT_SANDBOX_LIMITS, ...limits };
  }

  /** Compiles the source in the sandbox (checks it defines decodeUplink) and keeps it under `key`. */
  async load(key: string, source: string): Promise<SandboxResult> {
    const r = await this.request({ op: 'load', key, source });
    this.strikes.delete(key);
    this.suspendedUntil.delete(key);
    if (r.ok) {
      this.sources.set(key, source);
      this.loadedInWorker.add(key);
    }
    return this.result(key, r);
  }

  async drop(key: string): Promise<void> {
    this.sources.delete(key);
    this.loadedInWorker.delete(key);
    if (this.worker) await this.request({ op: 'drop', key });
  }

  async decode(key: string, input: { bytes: number[]; fPort: number; variables: Record<string, unknown>; recvTime: number }): Promise<SandboxResult> {
    if (this.pending.size >= this.limits.maxPending) {
      return { ok: false, error: { code: 'HUB_ERR_CODEC_BUSY', message: `${this.pending.size} frames waiting` } };
    }
    const source = this.sources.get(key);
    if (source === undefined) return { ok: false, error: { code: 'HUB_ERR_CODEC_UNKNOWN_MODEL', message: `no uploaded codec ${key}` } };
    const until = this.suspendedUntil.get(key);
    if (until !== undefined && Date.now() < until) {
      return { ok: false, error: { code: 'HUB_ERR_CODEC_TIMEOUT', message: `suspended for ${Math.ceil((until - Date.now()) / 1000)} s more after ${this.limits.suspendAfter} stops in a row` } };
    }
    if (!this.loadedInWorker.has(key)) {
      const l = await this.request({ op: 'load', key, source });
      if (!l.ok) return this.result(key, l);
      this.loadedInWorker.add(key);
    }
    const r = await this.request({ op: 'decode', key, input });
    if (r.ok || (r.kind !== 'timeout' && r.kind !== 'memory')) this.strikes.delete(key);
    else {
      const n = (this.strikes.get(key) ?? 0) + 1;
      this.strikes.set(key, n);
      if (n >= this.limits.suspendAfter) {
        this.suspendedUntil.set(key, Date.now() + this.limits.suspendMs);
        this.strikes.delete(key);
        this.logger?.warn({ model: key, stops: n, suspendMs: this.limits.suspendMs }, 'uploaded codec suspended: stopped too often in a row');
      }
    }
    return this.result(key, r);
  }

  stats(): { restarts: number; pending: number; suspended: number } {
    const now = Date.now();
    let suspended = 0;
    for (const until of this.suspendedUntil.values()) if (until > now) suspended++;
    return { restarts: this.restarts, pending: this.pending.size, suspended };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    for (const p of this.pending.values()) p.resolve({ id: p.msg.id, ok: false, kind: 'threw', message: 'sandbox closed' });
    this.pending.clear();
    if (w) await w.terminate();
  }

  private result(key: string, r: Reply): SandboxResult {
    if (r.ok) return { ok: true, value: r.value };
    const code = KIND_CODES[r.kind ?? ''] ?? 'HUB_ERR_CODEC_THREW';
    return { ok: false, error: { code, message: r.message ?? r.kind ?? 'failed' } };
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const w = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: {
        timeLimitMs: this.limits.timeLimitMs,
        loadTimeLimitMs: this.limits.loadTimeLimitMs,
        memoryLimitBytes: this.limits.memoryLimitBytes,
        stackLimitBytes: this.limits.stackLimitBytes,
        maxOutputChars: this.limits.maxOutputChars,
      },
      // the worker's own V8 heap: QuickJS's memory is its WebAssembly memory, bounded per runtime
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    w.unref();
    this.worker = w;
    this.loadedInWorker = new Set();
    this.ready = new Promise<void>((resolve, reject) => {
      const onFirst = (m: { ready?: boolean; tid?: number | null }) => {
        if (m.ready) {
          this.tid = m.tid ?? null;
          w.off('message', onFirst);
          resolve();
        }
      };
      w.on('message', onFirst);
      w.once('error', reject);
    });
    w.on('message', (m: Reply & { ready?: boolean }) => {
      if (m.ready) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.lastProgressMs = Date.now();
      p.resolve(m);
    });
    w.on('error', (err) => this.logger?.warn({ err: String(err) }, 'codec sandbox worker failed'));
    w.on('exit', () => {
      if (this.worker === w) this.replace('exited');
    });
    if (!this.watchdog) {
      this.watchdog = setInterval(() => this.check(), Math.max(25, Math.floor(this.limits.timeLimitMs / 4)));
      this.watchdog.unref();
    }
    return this.ready;
  }

  private check(): void {
    if (this.pending.size === 0 || !this.worker) return;
    // the oldest request is the one the worker is on (Map keeps insertion order)
    const head = this.pending.values().next().value as Pending | undefined;
    const limit = head?.msg.op === 'load' ? this.limits.loadTimeLimitMs : this.limits.timeLimitMs;
    const cpuMs = this.tid !== null && head ? threadCpuMs(this.tid) : null;
    if (head && cpuMs !== null && this.watched?.id !== head.msg.id) this.watched = { id: head.msg.id, cpuMs };
    const overMs = Date.now() - this.lastProgressMs - limit - WATCHDOG_MARGIN_MS;
    if (overMs <= 0) return;
    const starved = cpuMs !== null && this.watched !== null && cpuMs - this.watched.cpuMs < limit;
    if (starved && overMs < STARVED_GRACE_MS) return;
    this.replace('stopped answering');
  }

  /** Terminates a stuck worker: the oldest frame fails as a timeout, the others go to a new worker. */
  private replace(why: string): void {
    const old = this.worker;
    this.worker = null;
    this.ready = null;
    this.tid = null;
    this.watched = null;
    this.restarts += 1;
    this.logger?.warn({ why, pending: this.pending.size }, 'codec sandbox worker replaced');
    if (old) void old.terminate();
    const waiting = [...this.pending.values()].sort((a, b) => a.msg.id - b.msg.id);
    this.pending.clear();
    const [stuck, ...rest] = waiting;
    stuck?.resolve({ id: stuck.msg.id, ok: false, kind: 'timeout', message: `the sandbox ${why}` });
    if (this.closed) {
      for (const p of rest) p.resolve({ id: p.msg.id, ok: false, kind: 'threw', message: 'sandbox closed' });
      return;
    }
    for (const p of rest) void this.post(p);
  }

  private request(body: Omit<Pending['msg'], 'id'>): Promise<Reply> {
    return new Promise<Reply>((resolve) => {
      void this.post({ msg: { id: this.nextId++, ...body }, resolve });
    });
  }

  private async post(p: Pending): Promise<void> {
    if (this.closed) {
      p.resolve({ id: p.msg.id, ok: false, kind: 'threw', message: 'sandbox closed' });
      return;
    }
    try {
      await this.start();
    } catch (err) {
      p.resolve({ id: p.msg.id, ok: false, kind: 'threw', message: `sandbox did not start: ${String(err)}` });
      return;
    }
    if (this.pending.size === 0) this.lastProgressMs = Date.now();
    // a decode for a codec the (new) worker lacks carries its source along as a load first
    if (p.msg.op === 'decode' && !this.loadedInWorker.has(p.msg.key)) {
      const source = this.sources.get(p.msg.key);
      if (source !== undefined) {
        this.loadedInWorker.add(p.msg.key);
        const id = this.nextId++;
        this.pending.set(id, { msg: { id, op: 'load', key: p.msg.key, source }, resolve: () => {} });
        this.worker!.postMessage({ id, op: 'load', key: p.msg.key, source });
      }
    }
    this.pending.set(p.msg.id, p);
    this.worker!.postMessage(p.msg);
  }
}

/** A TTN decoder's result as our codec result: `data` must be an object. */
export function asTtnResult(value: unknown): TtnDecodeResult | CodecError {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { code: 'HUB_ERR_CODEC_OUTPUT', message: 'decodeUplink did not return an object' };
  }
  const v = value as Record<string, unknown>;
  const out: TtnDecodeResult = {};
  if (v.data !== undefined) {
    if (v.data === null || typeof v.data !== 'object' || Array.isArray(v.data)) {
      return { code: 'HUB_ERR_CODEC_OUTPUT', message: '`data` is not an object' };
    }
    out.data = v.data as Record<string, unknown>;
  }
  if (Array.isArray(v.warnings)) out.warnings = v.warnings.map(String);
  if (Array.isArray(v.errors)) out.errors = v.errors.map(String);
  return out;
}
