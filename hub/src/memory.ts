import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Idle compaction: give the memory of a burst back once the hub is quiet.
 *
 * A login storm (an estate's power comes back and 20,000 devices reconnect at once) leaves V8's
 * old space full of short-lived login garbage interleaved with the connections that stay. V8
 * collects that garbage only when the heap next reaches its allocation limit, which an idle hub
 * may not do for hours, and even then it does not compact pages that are only partly free: the
 * process keeps holding, for example, 380 MiB committed for 200 MiB live.
 *
 * So once the event loop has been mostly idle for a whole interval, and the committed heap has
 * grown by `growthBytes` since the last compaction (or since start), the hub asks V8 for one full
 * GC that compacts every page, and the emptied pages go back to the OS. That is what V8's own
 * memory reducer does for a browser tab gone idle; Node gives it no idle signal, so the hub does.
 * The pause is one full GC, about 1.7 ms per live MiB on a 2-core machine (360 ms with 19,900
 * connections held), only ever taken while idle; an alarm arriving in it waits that long.
 *
 * Process-wide, so started by the process entry (main.ts), not by each hub in a test process.
 * Uses V8 switches Node documents as unsupported after start (`--expose-gc`, a compaction flag
 * set around the one call): both are read by V8 at the moment of use.
 */
export interface IdleCompactionOptions {
  /** How often idleness is checked, and the window it is measured over. */
  intervalMs?: number;
  /** Event-loop utilisation (0..1) over the window below which the hub counts as idle. */
  maxUtilization?: number;
  /** Committed-heap growth since the last compaction that makes one worth its pause. */
  growthBytes?: number;
  /** Least time between two compactions. */
  minGapMs?: number;
  onCompaction?: (c: Compaction) => void;
}

export interface Compaction {
  heapBeforeBytes: number;
  heapAfterBytes: number;
  usedAfterBytes: number;
  pauseMs: number;
}

export interface IdleCompactionStats {
  compactions: number;
  lastPauseMs: number;
}

const stats: IdleCompactionStats = { compactions: 0, lastPauseMs: 0 };

export function idleCompactionStats(): Readonly<IdleCompactionStats> {
  return stats;
}

let gcFunction: (() => void) | null = null;
/** One full GC that evacuates every fragmented page. */
function compactHeap(): Compaction {
  if (!gcFunction) {
    v8.setFlagsFromString('--expose-gc');
    gcFunction = vm.runInNewContext('gc') as () => void;
  }
  const heapBeforeBytes = v8.getHeapStatistics().total_heap_size;
  const started = performance.now();
  v8.setFlagsFromString('--compact-on-every-full-gc');
  try {
    gcFunction();
  } finally {
    v8.setFlagsFromString('--no-compact-on-every-full-gc');
  }
  const pauseMs = performance.now() - started;
  const after = v8.getHeapStatistics();
  return { heapBeforeBytes, heapAfterBytes: after.total_heap_size, usedAfterBytes: after.used_heap_size, pauseMs };
}

/** Starts the idle check; returns its stop. */
export function startIdleCompaction(options: IdleCompactionOptions = {}): () => void {
  const { intervalMs = 10_000, maxUtilization = 0.1, growthBytes = 64 * 2 ** 20, minGapMs = 60_000, onCompaction } = options;
  let window = performance.eventLoopUtilization();
  let lastAt = -Infinity;
  // What growth counts from: the least committed heap since the last compaction (0 before the first).
  let baselineBytes = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const idle = performance.eventLoopUtilization(window).utilization < maxUtilization;
    const committed = v8.getHeapStatistics().total_heap_size;
    // V8's own GCs may have shrunk the heap since: growth counts from the lowest point.
    baselineBytes = Math.min(baselineBytes, committed);
    if (idle && committed - baselineBytes >= growthBytes && now - lastAt >= minGapMs) {
      const c = compactHeap();
      lastAt = performance.now();
      stats.compactions++;
      stats.lastPauseMs = c.pauseMs;
      baselineBytes = c.heapAfterBytes;
      onCompaction?.(c);
    }
    // The compaction's own pause is not the next window's load.
    window = performance.eventLoopUtilization();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
