import { open, type FileHandle } from 'node:fs/promises';
import { claimedRecordBytes, scanRecords } from './format.ts';
import { segmentPath, type SpoolPos } from './files.ts';

/**
 * Records a reader keeps in memory at most (beyond, it reads them from disk). They are decoded
 * values, a kilobyte or two each: a reader held up (its sink away) holds up to about 30 MiB
 * until its tail overflows, is dropped, and stays empty until the reader has caught up.
 */
const TAIL_MAX_RECORDS = 20_000;

/** What a reader takes from the spool: values in order, and where the batch ends. */
export interface SpoolBatch<T> {
  values: T[];
  appendMs: number[];
  /** Where the batch starts and ends: a reader resumes at `end`. */
  start: SpoolPos;
  end: SpoolPos;
  bytes: number;
}

/** The spool as a cursor sees it: its segments (the last one's size is its durable length). */
export interface SegmentSource {
  readonly dir: string;
  readonly segs: readonly { id: number; size: number }[];
  readonly readChunkBytes: number;
  readonly isClosed: boolean;
}

/**
 * One reader's position in the spool: hands out the next batch of durable records after the
 * last one handed out, waiting for one when it is at the end. `rewind` goes back to where the
 * reader last confirmed. Readers are independent: the drain (to the telemetry sink) is one, the
 * rules engine another; the spool keeps a segment until every reader has passed it.
 */
export class SpoolCursor<T> {
  pos: SpoolPos;
  confirmed: SpoolPos;
  #fh: { id: number; fh: FileHandle } | null = null;
  #inFlight: Promise<unknown> | null = null;
  #waiters: (() => void)[] = [];
  #interrupted = false;
  /**
   * Groups just committed, contiguous from `pos`, handed over in memory by the spool, so a reader
   * that keeps up takes new records without a disk read (which waits behind every fsync on the
   * libuv pool) and without decoding them again: the values appended, shared by every reader
   * (readers never change a value). Bounded; past the bound, or on any gap, the reader reads the
   * disk as before.
   */
  #tail: { start: SpoolPos; end: SpoolPos; values: readonly T[]; appendMs: readonly number[] }[] = [];
  #tailRecords = 0;

  constructor(
    private readonly src: SegmentSource,
    from: SpoolPos,
  ) {
    this.pos = { ...from };
    this.confirmed = { ...from };
  }

  /** The spool committed a group at [start, end): kept in memory when it follows what this reader reads next. */
  offer(start: SpoolPos, end: SpoolPos, values: readonly T[], appendMs: readonly number[]): void {
    const next = this.#tail.length ? this.#tail[this.#tail.length - 1]!.end : this.pos;
    if (start.segment !== next.segment || start.offset !== next.offset || this.#tailRecords + values.length > TAIL_MAX_RECORDS) {
      this.#tail = [];
      this.#tailRecords = 0;
      return;
    }
    this.#tail.push({ start, end, values, appendMs });
    this.#tailRecords += values.length;
  }

  #fromTail(max: number): SpoolBatch<T> | null {
    const first = this.#tail[0];
    if (!first || first.start.segment !== this.pos.segment || first.start.offset !== this.pos.offset) {
      this.#tail = [];
      this.#tailRecords = 0;
      return null;
    }
    const values: T[] = [];
    const appendMs: number[] = [];
    const start = { ...this.pos };
    let bytes = 0;
    while (this.#tail.length && values.length < max) {
      const g = this.#tail.shift()!;
      this.#tailRecords -= g.values.length;
      values.push(...g.values);
      appendMs.push(...g.appendMs);
      bytes += g.end.offset - g.start.offset;
      this.pos = g.end;
    }
    return { values, appendMs, start, end: { ...this.pos }, bytes };
  }

  /** The next batch of up to `max` durable records; waits for one; null once the spool is closed or on `interrupt`. */
  async read(max: number): Promise<SpoolBatch<T> | null> {
    for (;;) {
      if (this.src.isClosed) return null;
      if (this.#interrupted) {
        this.#interrupted = false;
        return null;
      }
      if (this.#tail.length) {
        const b = this.#fromTail(max);
        if (b) return b;
      }
      const segs = this.src.segs;
      const seg = segs.find((s) => s.id === this.pos.segment);
      const lastId = segs[segs.length - 1]!.id;
      if (!seg) {
        // The position's segment is gone (every reader passed it): move to the next one.
        const next = segs.find((s) => s.id > this.pos.segment);
        if (!next) throw new Error(`spool read position ${this.pos.segment} is past the last segment`);
        this.pos = { segment: next.id, offset: 0 };
        continue;
      }
      if (this.pos.offset < seg.size) {
        const p = this.#readFrom(seg, max);
        this.#inFlight = p;
        try {
          return await p;
        } finally {
          this.#inFlight = null;
        }
      }
      if (seg.id < lastId) {
        this.pos = { segment: segs[segs.indexOf(seg) + 1]!.id, offset: 0 };
        continue;
      }
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  async #readFrom(seg: { id: number; size: number }, max: number): Promise<SpoolBatch<T>> {
    if (this.#fh?.id !== seg.id) {
      await this.#fh?.fh.close();
      this.#fh = null;
      this.#fh = { id: seg.id, fh: await open(segmentPath(this.src.dir, seg.id), 'r') };
    }
    const fh = this.#fh.fh;
    const values: T[] = [];
    const appendMs: number[] = [];
    const start = { ...this.pos };
    let offset = this.pos.offset;
    let want = this.src.readChunkBytes;
    while (values.length < max && offset < seg.size) {
      const len = Math.min(want, seg.size - offset);
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, offset);
      const r = scanRecords(buf.subarray(0, bytesRead), 0, max - values.length, (rec) => {
        values.push(JSON.parse(rec.payload.toString('utf8')) as T);
        appendMs.push(rec.appendMs);
      });
      offset += r.offset;
      if (r.stop === 'corrupt') throw new Error(`spool segment ${seg.id} is corrupt at ${offset}`);
      if (r.stop === 'partial' && r.count === 0) {
        const need = claimedRecordBytes(buf, 0);
        if (need > seg.size - offset) throw new Error(`spool segment ${seg.id} has a record past its durable end at ${offset}`);
        want = Math.max(want, need);
      }
      if (r.stop === 'count') break;
    }
    const end = { segment: seg.id, offset };
    this.pos = end;
    return { values, appendMs, start, end, bytes: offset - start.offset };
  }

  /** Makes a pending `read` return null now (the reader is stopping). */
  interrupt(): void {
    this.#interrupted = true;
    this.wake();
  }

  /** Hands out again, from where it last confirmed, what was read but not confirmed. */
  rewind(): void {
    this.pos = { ...this.confirmed };
    this.#tail = [];
    this.#tailRecords = 0;
  }

  /** New durable records (or the spool closed): a waiting read looks again. */
  wake(): void {
    const w = this.#waiters;
    if (w.length === 0) return;
    this.#waiters = [];
    for (const r of w) r();
  }

  /** Closes the file this cursor reads, if it is segment `id` (about to be deleted), or any. */
  async release(id?: number): Promise<void> {
    if (!this.#fh || (id !== undefined && this.#fh.id !== id)) return;
    await this.#inFlight?.catch(() => {});
    await this.#fh?.fh.close();
    this.#fh = null;
  }
}
