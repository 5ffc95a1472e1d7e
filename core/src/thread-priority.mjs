// Plain JavaScript: worker threads start without the TypeScript loader the hub's sources use.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the CPU priority of the calling thread only (Linux: `nice` for its thread id, read from
 * /proc/thread-self), so that when the machine is short of CPU the hub's own thread (MQTT,
 * ingest, the alarm path) goes first and this thread takes what is left. Returns false where it
 * cannot (not Linux, not allowed): the thread then keeps its normal priority.
 */
export function lowerThreadPriority(nice) {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}
