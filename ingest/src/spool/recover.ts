import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { claimedRecordBytes, scanRecords } from './format.ts';
import { fsyncDir, listSegments, minPos, openSegmentForAppend, readCheckpoint, segmentPath, type SpoolPos } from './files.ts';
import type { SpoolLogger } from './logger.ts';

/** An oldest-age mark: where a commit group (or a replayed chunk) starts, and its first append time. */
export interface Mark {
  pos: SpoolPos;
  appendMs: number;
}

export interface RecoveredSpool {
  /** Segments on disk, ascending; the last is open for appending. */
  segs: { id: number; size: number }[];
  writeFh: FileHandle;
  /** Where reading resumes: the checkpoint, or the first segment after it. */
  readPos: SpoolPos;
  /** Unconfirmed records found on disk. */
  replayed: number;
  marks: Mark[];
  /** Where each named reader's checkpoint says it was (its segments were kept). */
  held: Map<string, SpoolPos>;
}

/**
 * Opens the spool directory after a clean stop or a crash: deletes segments the checkpoint has
 * passed, counts the unconfirmed records and truncates a torn tail (a record cut short or with a
 * bad CRC: the process died between write and fdatasync, so it was never acknowledged).
 */
export async function recoverSpool(dir: string, chunkBytes: number, log: SpoolLogger, readers: readonly string[] = []): Promise<RecoveredSpool> {
  await mkdir(dir, { recursive: true });
  const checkpoint = await readCheckpoint(dir);
  const held = new Map<string, SpoolPos>();
  for (const name of readers) {
    const pos = await readCheckpoint(dir, name);
    // A reader that never checkpointed (new) starts where the drain does.
    if (pos) held.set(name, pos);
  }
  let segs = await listSegments(dir);
  // Segments before every checkpoint were confirmed by every reader; a crash may have left them behind.
  const keep = minPos([...(checkpoint ? [checkpoint] : []), ...held.values()]);
  for (const s of segs) if (keep && checkpoint && s.id < keep.segment) await unlink(segmentPath(dir, s.id));
  segs = segs.filter((s) => !keep || !checkpoint || s.id >= keep.segment);

  let readPos: SpoolPos = { segment: segs.find((s) => !checkpoint || s.id > checkpoint.segment)?.id ?? (checkpoint ? checkpoint.segment + 1 : 1), offset: 0 };
  if (checkpoint && segs.some((s) => s.id === checkpoint.segment)) readPos = { ...checkpoint };

  let replayed = 0;
  const marks: Mark[] = [];
  for (const s of segs) {
    if (s.id < readPos.segment) continue; // kept for a named reader, confirmed by the drain: intact
    const from = s.id === readPos.segment ? readPos.offset : 0;
    const r = await scanSegment(dir, s.id, from, chunkBytes, marks);
    replayed += r.count;
    if (r.validEnd < s.size) {
      log.warn({ segment: s.id, validEnd: r.validEnd, size: s.size }, 'truncating a torn tail record');
      const fh = await open(segmentPath(dir, s.id), 'r+');
      try {
        await fh.truncate(r.validEnd);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      s.size = r.validEnd;
    }
  }

  let writeFh: FileHandle;
  const last = segs[segs.length - 1];
  if (last) {
    writeFh = await openSegmentForAppend(segmentPath(dir, last.id), false);
  } else {
    writeFh = await openSegmentForAppend(segmentPath(dir, readPos.segment), true);
    await fsyncDir(dir);
    segs.push({ id: readPos.segment, size: 0 });
  }
  return { segs, writeFh, readPos, replayed, marks, held };
}

/** How many records lie from `from` to the end of the spool (a reader's backlog at open). */
export async function countRecords(dir: string, segs: readonly { id: number; size: number }[], from: SpoolPos, chunkBytes: number): Promise<number> {
  let n = 0;
  for (const s of segs) {
    if (s.id < from.segment) continue;
    n += (await scanSegment(dir, s.id, s.id === from.segment ? from.offset : 0, chunkBytes, [], s.size)).count;
  }
  return n;
}

/** Counts the valid records of one segment from `from`; where the valid data ends. */
async function scanSegment(
  dir: string,
  id: number,
  from: number,
  chunkBytes: number,
  marks: Mark[],
  durableEnd?: number,
): Promise<{ count: number; validEnd: number }> {
  const fh = await open(segmentPath(dir, id), 'r');
  try {
    const size = durableEnd ?? (await fh.stat()).size;
    let offset = from;
    let count = 0;
    let want = chunkBytes;
    while (offset < size) {
      const len = Math.min(want, size - offset);
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await fh.read(buf, 0, len, offset);
      let first = true;
      const at = offset;
      const r = scanRecords(buf.subarray(0, bytesRead), 0, Number.MAX_SAFE_INTEGER, (rec) => {
        if (first) marks.push({ pos: { segment: id, offset: at }, appendMs: rec.appendMs });
        first = false;
      });
      count += r.count;
      offset += r.offset;
      if (r.stop === 'corrupt') break;
      if (r.stop === 'partial') {
        if (offset + claimedRecordBytes(buf, r.offset) > size) break;
        want = Math.max(chunkBytes, claimedRecordBytes(buf, r.offset));
      }
    }
    return { count, validEnd: offset };
  } finally {
    await fh.close();
  }
}
