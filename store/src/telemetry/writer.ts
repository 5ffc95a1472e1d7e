import { Worker } from 'node:worker_threads';
import type { Reading } from '@gridhub/core';
import { readingRows } from '../readings.ts';

/**
 * Readings per transaction in the writer. Nothing else writes the telemetry file (it has its own
 * lock, telemetry/file.ts), so a whole drain batch goes in one transaction: fewer commits and
 * round trips to the thread. The bound keeps one message to the thread a few MB at most.
 */
const CHUNK = 5000;

type Request = { op: 'write'; readings: unknown[]; values: unknown[] } | { op: 'prune'; olderThanMs: number } | { op: 'ping' };
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
  private current: { worker: Worker; pending: Map<number, Pending> } | null = null;
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

  async write(readings: readonly Reading[]): Promise<void> {
    const parts: Promise<unknown>[] = [];
    for (let i = 0; i < readings.length; i += CHUNK) {
      const rows = readingRows(readings.slice(i, i + CHUNK));
      parts.push(this.request({ op: 'write', readings: rows.readings, values: rows.values }));
    }
    await Promise.all(parts);
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

  private request(req: Request): Promise<unknown> {
    const { worker, pending } = this.current ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...req });
    });
  }

  private start(): { worker: Worker; pending: Map<number, Pending> } {
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
