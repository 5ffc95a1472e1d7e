import { crc32 } from 'node:zlib';

/**
 * On-disk record: a 16-byte header then the payload (UTF-8 JSON).
 *
 *   u32 LE  payload length
 *   u32 LE  CRC-32 of bytes 8.. (append time and payload)
 *   f64 LE  append time, epoch ms (for the oldest-record age and the append -> confirmed latency)
 *   ...     payload
 *
 * A record whose length runs past the end of the file, or whose CRC does not match, is a torn
 * tail (the process died between write and fdatasync): the spool truncates the file there.
 */
export const HEADER_BYTES = 16;

/** Larger than any sane record; a length above it is corruption, not a record. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Encodes a group of payloads into one buffer, ready for one write. Pure. `texts` are JSON
 * strings; their UTF-8 length is measured here so that no Buffer is made per record.
 */
export function encodeGroup(texts: readonly string[], appendMs: readonly number[]): Buffer {
  let total = 0;
  const lengths = new Array<number>(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const len = Buffer.byteLength(texts[i]!, 'utf8');
    lengths[i] = len;
    total += HEADER_BYTES + len;
  }
  const buf = Buffer.allocUnsafe(total);
  let off = 0;
  for (let i = 0; i < texts.length; i++) {
    const len = lengths[i]!;
    buf.writeUInt32LE(len, off);
    buf.writeDoubleLE(appendMs[i]!, off + 8);
    buf.write(texts[i]!, off + HEADER_BYTES, len, 'utf8');
    buf.writeUInt32LE(crc32(buf.subarray(off + 8, off + HEADER_BYTES + len)), off + 4);
    off += HEADER_BYTES + len;
  }
  return buf;
}

export interface RecordView {
  /** UTF-8 payload (a view into the read buffer). */
  payload: Buffer;
  appendMs: number;
}

export type ScanStop = 'end' | 'partial' | 'corrupt' | 'count';

/**
 * Walks the records of `buf` from `start`, calling `onRecord` for each whole, valid one, up to
 * `maxCount`. Returns where it stopped and why: 'end' (exactly at the end of the buffer),
 * 'partial' (a record continues past the buffer), 'corrupt' (bad length or CRC), 'count'.
 */
export function scanRecords(
  buf: Buffer,
  start: number,
  maxCount: number,
  onRecord: (rec: RecordView, endOffset: number) => void,
): { offset: number; count: number; stop: ScanStop } {
  let off = start;
  let count = 0;
  while (count < maxCount) {
    if (off === buf.length) return { offset: off, count, stop: 'end' };
    if (buf.length - off < HEADER_BYTES) return { offset: off, count, stop: 'partial' };
    const len = buf.readUInt32LE(off);
    if (len > MAX_RECORD_BYTES) return { offset: off, count, stop: 'corrupt' };
    const end = off + HEADER_BYTES + len;
    if (end > buf.length) return { offset: off, count, stop: 'partial' };
    if (crc32(buf.subarray(off + 8, end)) !== buf.readUInt32LE(off + 4)) return { offset: off, count, stop: 'corrupt' };
    onRecord({ payload: buf.subarray(off + HEADER_BYTES, end), appendMs: buf.readDoubleLE(off + 8) }, end);
    off = end;
    count++;
  }
  return { offset: off, count, stop: 'count' };
}

/** Length of the record starting at `off` as its header claims (for growing a read buffer). */
export function claimedRecordBytes(buf: Buffer, off: number): number {
  return buf.length - off >= 4 ? HEADER_BYTES + buf.readUInt32LE(off) : HEADER_BYTES;
}
