import { unlink, type FileHandle } from 'node:fs/promises';
import { HubError } from '@gridhub/core';
import { SpoolCursor, type SpoolBatch } from './cursor.ts';
import { encodeGroup, HEADER_BYTES } from './format.ts';
import { newGroup, type Group } from './group.ts';
import { comparePos, fsyncDir, minPos, openSegmentForAppend, READER_NAME_RE, segmentPath, writeCheckpoint, type SpoolPos } from './files.ts';
import { LatencyHistogram, type LatencySnapshot } from './latency.ts';
import { consoleLogger, type SpoolLogger } from './logger.ts';
import { countRecords, recoverSpool, type Mark, type RecoveredSpool } from './recover.ts';

export type { SpoolBatch, SpoolPos };

export { consoleLogger, type SpoolLogger };

export interface SpoolOptions {
  /** Directory of the segment files and the checkpoint (created if missing). */
  dir: string;
  /** Disk budget: appends beyond it reject with HUB_ERR_SPOOL_FULL. */
  budgetBytes: number;
  /** A segment is closed and a new one started past this size. Default: budget / 8, 1..64 MiB. */
  segmentBytes?: number;
  /** How much one disk read takes in (the drain reads batches from disk). Default 1 MiB. */
  readChunkBytes?: number;
  /** From this share of the budget a warning is logged once and `filling` is true. Default 0.8. */
  fillingRatio?: number;
  /**
   * Named readers besides the drain (the rules engine): the spool keeps every segment until each
   * of them has passed it too, across restarts (`reader(name, from)`).
   */
  readers?: readonly string[];
  logger?: SpoolLogger;
  now?: () => number;
}

export interface SpoolStats {
  /** Records appended (durable or about to be) and not yet confirmed by the sink. */
  depth: number;
  /** Bytes on disk (segments not yet deleted) plus bytes waiting for the next group commit. */
  bytes: number;
  budgetBytes: number;
  filling: boolean;
  /**
   * The next record cannot fit: one the size of the last one offered (accepted or refused) would
   * pass the budget. QoS 1 messages are not acknowledged then.
   */
  full: boolean;
  /** Age of the oldest unconfirmed record, ms (exact to about 1 s); 0 when empty. */
  oldestAgeMs: number;
  appended: number;
  /** Records found unconfirmed on disk when the spool was opened. */
  replayed: number;
  confirmed: number;
  /** Appends refused because the budget was exhausted. */
  rejectedFull: number;
  /** Synchronous (O_DSYNC) writes to segment files: one per group commit. */
  fsyncs: number;
  segments: number;
  /** Append -> durable (fsynced). */
  commitLatency: LatencySnapshot;
  /** Append -> confirmed by the sink. */
  confirmLatency: LatencySnapshot;
}

/**
 * A named reader's view of the spool: reads by position from where its owner says it is (its
 * cursor, kept in the owner's own store), and tells the spool how far it has confirmed so that
 * segments every reader has passed can go.
 */
export interface SpoolReader<T> {
  read(max: number): Promise<SpoolBatch<T> | null>;
  rewind(): void;
  interrupt(): void;
  /** The owner has durably recorded that it is at `batch.end` (the spool may drop what lies before). */
  confirm(batch: Pick<SpoolBatch<T>, 'end' | 'values'>): Promise<void>;
  /** Durable records not yet confirmed by this reader. */
  backlog(): number;
  close(): void;
}

const MiB = 1024 * 1024;
const MARK_INTERVAL_MS = 1000;

/**
 * A durable local-disk queue with group commit (see docs in ingest/README.md).
 * Appends made while a commit is in flight (or in the same event-loop turn) are written with one
 * synchronous (O_DSYNC) write; all their promises then resolve together.
 * Single reader: `read` hands out the next batch after the last one handed out; `confirm` moves
 * the persisted checkpoint and deletes fully confirmed segments. After a restart, reading resumes
 * at the checkpoint, so anything handed out but not confirmed is handed out again.
 */
export class Spool<T> {
  readonly dir: string;
  private readonly budgetBytes: number;
  private readonly segmentBytes: number;
  readonly readChunkBytes: number;
  private readonly fillingRatio: number;
  private readonly log: SpoolLogger;
  private readonly now: () => number;

  /** Segment ids and sizes on disk (the last one's size is its durable length). */
  readonly segs: { id: number; size: number }[];
  private writeFh: FileHandle;
  private diskBytes: number;
  private pending: Group<T> = newGroup();
  private commitRun: Promise<void> | null = null;
  private closed = false;

  /** The drain's cursor; its confirmed position is the persisted checkpoint. */
  private readonly main: SpoolCursor<T>;
  /** Named readers: where each has confirmed (kept across restarts by a checkpoint file written before a deletion). */
  private readonly held: Map<string, SpoolPos>;
  private readonly cursors = new Set<SpoolCursor<T>>();
  private deleting: Promise<void> = Promise.resolve();

  /** Oldest-age marks: (start of a commit group, its first append time), ascending, >= 1 s apart. */
  private marks: Mark[] = [];
  private marksHead = 0;

  private appended = 0;
  private confirmed = 0;
  private readonly replayed: number;
  private rejectedFull = 0;
  /** The size of the last record offered (refused or not): what the next one is expected to need. */
  private nextRecordBytes = 0;
  private fsyncs = 0;
  private warnedFilling = false;
  private readonly commitLatency = new LatencyHistogram();
  private readonly confirmLatency = new LatencyHistogram();

  private constructor(opts: SpoolOptions, state: RecoveredSpool) {
    this.dir = opts.dir;
    this.budgetBytes = opts.budgetBytes;
    this.segmentBytes = segmentBytesFor(opts);
    this.readChunkBytes = opts.readChunkBytes ?? MiB;
    this.fillingRatio = opts.fillingRatio ?? 0.8;
    this.log = opts.logger ?? consoleLogger;
    this.now = opts.now ?? Date.now;
    this.segs = state.segs;
    this.writeFh = state.writeFh;
    this.main = new SpoolCursor<T>(this, state.readPos);
    this.cursors.add(this.main);
    this.held = new Map((opts.readers ?? []).map((name) => [name, state.held.get(name) ?? state.readPos]));
    this.replayed = state.replayed;
    this.marks = state.marks;
    this.diskBytes = state.segs.reduce((n, s) => n + s.size, 0);
  }

  /** Opens (or creates) the spool in `opts.dir`: replays from the checkpoint, truncating a torn tail. */
  static async open<T>(opts: SpoolOptions): Promise<Spool<T>> {
    if (!(opts.budgetBytes > 0)) throw new HubError('HUB_ERR_CONFIG', ['spool budgetBytes must be > 0']);
    for (const name of opts.readers ?? []) if (!READER_NAME_RE.test(name)) throw new HubError('HUB_ERR_CONFIG', [`spool reader name ${name}`]);
    const state = await recoverSpool(opts.dir, opts.readChunkBytes ?? MiB, opts.logger ?? consoleLogger, opts.readers);
    return new Spool<T>(opts, state);
  }

  // ------------------------------------------------------------------ append (group commit)

  /**
   * Appends one value. Resolves once it is on disk and fsynced (with everything else appended
   * meanwhile); rejects with HUB_ERR_SPOOL_FULL when the disk budget is exhausted.
   */
  append(value: T): Promise<void> {
    if (this.closed) return Promise.reject(new HubError('HUB_ERR_NOT_READY', ['spool is closed']));
    const text = JSON.stringify(value);
    const bytes = text.length + HEADER_BYTES;
    const used = this.diskBytes + this.pending.bytes + bytes;
    if (used > this.budgetBytes) {
      this.rejectedFull++;
      this.nextRecordBytes = bytes;
      return Promise.reject(new HubError('HUB_ERR_SPOOL_FULL'));
    }
    if (!this.warnedFilling && used >= this.budgetBytes * this.fillingRatio) {
      this.warnedFilling = true;
      this.log.warn({ bytes: used, budgetBytes: this.budgetBytes }, `spool is over ${Math.round(this.fillingRatio * 100)} % of its disk budget`);
    }
    this.nextRecordBytes = bytes;
    const g = this.pending;
    g.texts.push(text);
    g.values.push(value);
    g.appendMs.push(this.now());
    g.bytes += bytes;
    if (!this.commitRun) this.commitRun = this.commitLoop();
    return g.promise;
  }

  private async commitLoop(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    try {
      while (this.pending.texts.length > 0) {
        const g = this.pending;
        this.pending = newGroup();
        await this.commitGroup(g);
      }
    } finally {
      this.commitRun = null;
    }
  }

  private async commitGroup(g: Group<T>): Promise<void> {
    try {
      const buf = encodeGroup(g.texts, g.appendMs);
      let seg = this.segs[this.segs.length - 1]!;
      if (seg.size > 0 && seg.size + buf.length > this.segmentBytes) seg = await this.rollSegment();
      try {
        await this.writeFh.write(buf, 0, buf.length, seg.size); // O_DSYNC: durable when it returns
      } catch (err) {
        // Leave no half-written group behind: the next group starts where this one did.
        await this.writeFh.truncate(seg.size).catch(() => {});
        throw err;
      }
      this.fsyncs++;
      // One mark per second at most: the oldest age is exact to 1 s and a long outage stays small.
      const lastMark = this.marks[this.marks.length - 1];
      if (!lastMark || g.appendMs[0]! - lastMark.appendMs >= MARK_INTERVAL_MS) {
        this.marks.push({ pos: { segment: seg.id, offset: seg.size }, appendMs: g.appendMs[0]! });
      }
      const start = { segment: seg.id, offset: seg.size };
      seg.size += buf.length;
      this.diskBytes += buf.length;
      const end = { segment: seg.id, offset: seg.size };
      for (const c of this.cursors) c.offer(start, end, g.values, g.appendMs);
      this.appended += g.texts.length;
      const t = this.now();
      for (const a of g.appendMs) this.commitLatency.observe(t - a);
      g.resolve();
      this.wakeReaders();
    } catch (err) {
      this.log.error({ err: String(err) }, 'spool write failed');
      g.reject(
        (err as NodeJS.ErrnoException).code === 'ENOSPC' ? new HubError('HUB_ERR_SPOOL_FULL') : new HubError('HUB_ERR_SPOOL_IO', [(err as Error).message ?? String(err)]),
      );
    }
  }

  private async rollSegment(): Promise<{ id: number; size: number }> {
    const id = this.segs[this.segs.length - 1]!.id + 1;
    const fh = await openSegmentForAppend(segmentPath(this.dir, id), true);
    await fsyncDir(this.dir);
    await this.writeFh.close();
    this.writeFh = fh;
    const seg = { id, size: 0 };
    this.segs.push(seg);
    return seg;
  }

  // ------------------------------------------------------------------ read / confirm (one drain)

  /** The drain's next batch of up to `max` durable records; waits for one; null once the spool is closed. */
  read(max: number): Promise<SpoolBatch<T> | null> {
    return this.main.read(max);
  }

  /** Makes a pending `read` return null now (the drain is stopping). */
  interruptRead(): void {
    this.main.interrupt();
  }

  /** Hands out again, from the checkpoint, what was read but not confirmed. */
  rewind(): void {
    this.main.rewind();
  }

  /**
   * A named reader (declared in `readers`) reading from `from`, the position its owner recorded
   * (null: it has none yet, and starts where the drain does). A position whose segment is gone
   * (a spool directory replaced under a database) starts at the oldest record kept, with a warning.
   */
  async reader(name: string, from: SpoolPos | null): Promise<SpoolReader<T>> {
    if (!this.held.has(name)) throw new HubError('HUB_ERR_CONFIG', [`spool reader ${name} was not declared`]);
    let start = from ?? this.held.get(name)!;
    const first = this.segs[0]!;
    if (comparePos(start, { segment: first.id, offset: 0 }) < 0) {
      this.log.warn({ reader: name, from: start, oldest: first.id }, 'a spool reader\'s position is older than the spool: reading from its oldest record');
      start = { segment: first.id, offset: 0 };
    }
    const last = this.segs[this.segs.length - 1]!;
    if (comparePos(start, { segment: last.id, offset: last.size }) > 0) {
      this.log.warn({ reader: name, from: start }, 'a spool reader\'s position is past the spool\'s end: reading from its end');
      start = { segment: last.id, offset: last.size };
    }
    this.held.set(name, start);
    const cursor = new SpoolCursor<T>(this, start);
    this.cursors.add(cursor);
    const initial = await countRecords(this.dir, this.segs, start, this.readChunkBytes);
    const appendedAtOpen = this.appended;
    let confirmed = 0;
    return {
      read: (max) => cursor.read(max),
      rewind: () => cursor.rewind(),
      interrupt: () => cursor.interrupt(),
      confirm: async (batch) => {
        confirmed += batch.values.length;
        cursor.confirmed = { ...batch.end };
        this.held.set(name, { ...batch.end });
        await this.deleteConfirmed();
      },
      backlog: () => Math.max(0, initial + (this.appended - appendedAtOpen) - confirmed),
      close: () => {
        cursor.interrupt();
        this.cursors.delete(cursor);
        void cursor.release();
      },
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The sink stored `batch`: persist the checkpoint, then delete segments every reader has passed. */
  async confirm(batch: SpoolBatch<T>): Promise<void> {
    await writeCheckpoint(this.dir, batch.end);
    this.main.confirmed = batch.end;
    this.confirmed += batch.values.length;
    const t = this.now();
    for (const a of batch.appendMs) this.confirmLatency.observe(t - a);
    await this.deleteConfirmed();
    while (this.marksHead + 1 < this.marks.length && comparePos(this.marks[this.marksHead + 1]!.pos, batch.end) <= 0) this.marksHead++;
    if (this.marksHead > 1024 && this.marksHead * 2 > this.marks.length) {
      this.marks = this.marks.slice(this.marksHead);
      this.marksHead = 0;
    }
    if (this.warnedFilling && this.diskBytes + this.pending.bytes < this.budgetBytes * this.fillingRatio) this.warnedFilling = false;
  }

  /**
   * Deletes the segments wholly before every reader's confirmed position. Named readers'
   * positions are written to their checkpoint files first, so that after a crash the spool
   * still keeps what they had not passed (their owner's cursor is never behind that file).
   */
  private deleteConfirmed(): Promise<void> {
    const run = this.deleting.then(async () => {
      const keep = minPos([this.main.confirmed, ...this.held.values()])!;
      const lastId = this.segs[this.segs.length - 1]!.id;
      let hinted = false;
      while (this.segs.length > 1) {
        const s = this.segs[0]!;
        const done = s.id < keep.segment || (s.id === keep.segment && keep.offset >= s.size && s.id !== lastId);
        if (!done) break;
        if (!hinted) {
          for (const [name, pos] of this.held) await writeCheckpoint(this.dir, pos, name);
          hinted = true;
        }
        for (const c of this.cursors) await c.release(s.id);
        await unlink(segmentPath(this.dir, s.id));
        this.segs.shift();
        this.diskBytes -= s.size;
      }
    });
    this.deleting = run.catch(() => {});
    return run;
  }

  private wakeReaders(): void {
    for (const c of this.cursors) c.wake();
  }

  // ------------------------------------------------------------------ stats / close

  stats(): SpoolStats {
    const depth = this.replayed + this.appended + this.pending.texts.length - this.confirmed;
    const bytes = this.diskBytes + this.pending.bytes;
    const mark = this.marks[this.marksHead];
    const oldest = depth > 0 ? (mark?.appendMs ?? this.pending.appendMs[0]) : undefined;
    return {
      depth,
      bytes,
      budgetBytes: this.budgetBytes,
      filling: bytes >= this.budgetBytes * this.fillingRatio,
      full: this.nextRecordBytes > 0 && bytes + this.nextRecordBytes > this.budgetBytes,
      oldestAgeMs: oldest === undefined ? 0 : Math.max(0, this.now() - oldest),
      appended: this.appended,
      replayed: this.replayed,
      confirmed: this.confirmed,
      rejectedFull: this.rejectedFull,
      fsyncs: this.fsyncs,
      segments: this.segs.length,
      commitLatency: this.commitLatency.snapshot(),
      confirmLatency: this.confirmLatency.snapshot(),
    };
  }

  /** Commits what is pending, wakes a waiting reader (it gets null) and closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeReaders();
    while (this.commitRun) await this.commitRun;
    await this.deleting;
    for (const c of this.cursors) await c.release();
    await this.writeFh.close();
  }
}

function segmentBytesFor(opts: SpoolOptions): number {
  if (opts.segmentBytes) return opts.segmentBytes;
  return Math.min(64 * MiB, Math.max(MiB, Math.floor(opts.budgetBytes / 8)));
}
