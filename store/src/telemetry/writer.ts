import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { Reading } from '@gridhub/core';

/**
 * Readings per message to the thread. A write goes in one transaction whatever its size (nothing
 * else writes the telemetry file, telemetry/file.ts): fewer commits, each of a batch's pages
 * written once. It is handed over in parts, one per event-loop turn, because copying readings
 * to the thread is synchronous (about 2 ms per 1,000 here): an alarm never waits behind a
 * whole drain batch's copy. The thread builds the table rows itself (rows.mjs).
 */
const PART = 1000;

type Request = { op: 'part' | 'write'; readings: readonly Reading[] } | { op: 'prune'; olderThanMs: number } | { op: 'ping' };
const STOPPED_DURING_WRITE = 'the embedded telemetry writer stopped during a write; nothing of it is stored';
type Current = { worker: Worker; pending: Map<number, Pending> };
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; code: string | null };

/**
 * The embedded telemetry's writes on SQLite, off the event loop: a worker thread (worker.mjs) with
 * its own connection to the telemetry file (telemetry/file.ts). A write resolves only once the worker has committed it; it
 * rejects when the worker reports an error or stops (crash, `terminate`), and the caller (the
 * spool's drain) writes the batch again: a new worker is started for the next request. Nothing
 * the worker did not confirm counts as stored.
 */
export class TelemetryWriter {
  private current: Current | null = null;
  private nextId = 1;
  /** Workers started (1 + restarts after a failure). */
  started = 0;

  /**
   * `file`: the telemetry file it writes; `checkpointFile`: the store's file, whose WAL it
   * checkpoints too; `onStart`: called when a worker starts (the store hands WAL checkpoints to it).
   */
  constructor(
    private readonly file: string,
    private readonly checkpointFile: string,
    private readonly onStart: () => void,
  ) {}

  /** One transaction in the thread; resolves once it is committed. */
  async write(readings: readonly Reading[]): Promise<void> {
    const target = this.current ?? this.start();
    const id = this.nextId++;
    let from = 0;
    for (; readings.length - from > PART; from += PART) {
      this.post(target, { id, op: 'part', readings: readings.slice(from, from + PART) });
      await nextTurn();
    }
    await this.request({ op: 'write', readings: readings.slice(from) }, id, target);
  }

  async prune(olderThanMs: number): Promise<number> {
    return Number(await this.request({ op: 'prune', olderThanMs }));
  }

  async ping(): Promise<void> {
    await this.request({ op: 'ping' });
  }

  /** Stops the worker; what it had not confirmed is rejected (as after a crash). */
  async terminate(): Promise<void> {
    await this.current?.worker.terminate();
  }

  private async request(req: Request, id = this.nextId++, target = this.current ?? this.start()): Promise<unknown> {
    const reply = new Promise((resolve, reject) => target.pending.set(id, { resolve, reject }));
    this.post(target, { id, ...req });
    return reply;
  }

  /** To the worker a write began with: one that died since has lost the write's earlier parts. */
  private post(target: Current, message: { id: number } & Request): void {
    if (this.current !== target) {
      target.pending.delete(message.id);
      throw new Error(STOPPED_DURING_WRITE);
    }
    target.worker.postMessage(message);
  }

  private start(): Current {
    const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { file: this.file, checkpointFile: this.checkpointFile } });
    w.unref();
    const current = { worker: w, pending: new Map<number, Pending>() };
    const pending = current.pending;
    this.current = current;
    this.started++;
    this.onStart();
    w.on('message', (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
    });
    const fail = (err: Error) => {
      if (this.current === current) this.current = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(err);
      }
    };
    w.on('error', (err) => fail(new Error(`the embedded telemetry writer failed: ${err.message}`, { cause: err })));
    w.on('exit', (code) => fail(new Error(`the embedded telemetry writer stopped (exit code ${code}); nothing it had not confirmed is stored`)));
    return current;
  }
}
