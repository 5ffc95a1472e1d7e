// Plain JavaScript: worker threads start without the TypeScript loader the hub's sources use.
import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the CPU priority of the calling thread only (Linux: `nice` for its thread id, read from
 * /proc/thread-self), so that when the machine is short of CPU the hub's own thread (MQTT,
 * ingest, the alarm path) goes first and this thread takes what is left. Returns false where it
 * cannot (not Linux, not allowed): the thread then keeps its normal priority.
 */
export function lowerThreadPriority(nice) {
  try {
    const tid = currentThreadId();
    if (tid === null) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/** The calling thread's kernel id (Linux), or null where there is none to read. */
export function currentThreadId() {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system, ms, at the kernel's 10 ms tick) a thread of this process has had
 * (Linux: /proc/self/task/<tid>/stat), or null where it cannot be read.
 */
export function threadCpuMs(tid) {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}
