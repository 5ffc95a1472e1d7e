import { constants } from 'node:fs';
import { open, readdir, readFile, rename, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The segment being appended to, opened O_DSYNC: each write returns once its data is on disk (the
 * same as write + fdatasync, in one call to the thread pool instead of two, so a group commit
 * waits one turn of the event loop less). `create`: a new, empty segment.
 */
export function openSegmentForAppend(path: string, create: boolean): Promise<FileHandle> {
  return open(path, constants.O_RDWR | constants.O_DSYNC | (create ? constants.O_CREAT | constants.O_TRUNC : 0), 0o644);
}

/** A position in the spool: byte offset in a segment. Segments are numbered from 1 upwards. */
export interface SpoolPos {
  segment: number;
  offset: number;
}

export function comparePos(a: SpoolPos, b: SpoolPos): number {
  return a.segment - b.segment || a.offset - b.offset;
}

export function minPos(ps: readonly SpoolPos[]): SpoolPos | null {
  let m: SpoolPos | null = null;
  for (const p of ps) if (!m || comparePos(p, m) < 0) m = p;
  return m;
}

const SEGMENT_RE = /^seg-(\d{12})\.log$/;
const CHECKPOINT = 'checkpoint.json';

export function segmentPath(dir: string, segment: number): string {
  return join(dir, `seg-${String(segment).padStart(12, '0')}.log`);
}

/** The segments in `dir`, ascending, with their sizes. */
export async function listSegments(dir: string): Promise<{ id: number; size: number }[]> {
  const out: { id: number; size: number }[] = [];
  for (const name of await readdir(dir)) {
    const m = SEGMENT_RE.exec(name);
    if (!m) continue;
    const id = Number(m[1]);
    out.push({ id, size: (await stat(join(dir, name))).size });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** Makes a directory entry (a new or renamed file) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The checkpoint file of the drain (no name) or of a named reader. */
function checkpointFile(name?: string): string {
  return name ? `checkpoint-${name}.json` : CHECKPOINT;
}

export const READER_NAME_RE = /^[a-z][a-z0-9-]{0,31}$/;

/** The confirmed position, or null when the spool has never confirmed anything. */
export async function readCheckpoint(dir: string, name?: string): Promise<SpoolPos | null> {
  let text: string;
  try {
    text = await readFile(join(dir, checkpointFile(name)), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const v = JSON.parse(text) as Partial<SpoolPos>;
  if (!Number.isSafeInteger(v.segment) || !Number.isSafeInteger(v.offset)) throw new Error(`bad spool checkpoint: ${text}`);
  return { segment: v.segment!, offset: v.offset! };
}

/** Atomic checkpoint: write a temp file, fsync it, rename over the old one, fsync the directory. */
export async function writeCheckpoint(dir: string, pos: SpoolPos, name?: string): Promise<void> {
  const tmp = join(dir, `${checkpointFile(name)}.tmp`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(pos));
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, checkpointFile(name)));
  await fsyncDir(dir);
}
