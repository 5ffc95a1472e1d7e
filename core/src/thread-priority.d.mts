/** Lowers the calling thread's CPU priority (Linux); false where it cannot. */
export function lowerThreadPriority(nice: number): boolean;
/** The calling thread's kernel id (Linux), or null. */
export function currentThreadId(): number | null;
/** CPU time (ms, 10 ms resolution) a thread of this process has had (Linux), or null. */
export function threadCpuMs(tid: number): number | null;
