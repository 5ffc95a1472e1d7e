import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Compaction, IdleCompactionStats } from '../src/memory.ts';

interface Seen {
  heapBeforeBytes: number;
  heapAfterBytes: number;
  kept: number;
  compactions: Compaction[];
  stats: IdleCompactionStats;
}

async function burstThen(mode: 'idle' | 'busy'): Promise<Seen> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'burst-then-idle.ts'), mode], { timeout: 30_000 });
  return JSON.parse(stdout) as Seen;
}

describe('idle compaction (hub/src/memory.ts), in a child process of its own', () => {
  it('gives a burst’s fragmented heap back once the process is idle, once', async () => {
    const seen = await burstThen('idle');
    expect(seen.kept).toBe(150_000); // the live objects survived the compaction
    expect(seen.heapBeforeBytes).toBeGreaterThan(100 * 2 ** 20);
    expect(seen.compactions).toHaveLength(1); // after it, the heap has not grown again
    expect(seen.stats.compactions).toBe(1);
    expect(seen.compactions[0]!.heapAfterBytes).toBeLessThan(seen.heapBeforeBytes / 2);
    expect(seen.heapAfterBytes).toBeLessThan(seen.heapBeforeBytes / 2);
    expect(seen.stats.lastPauseMs).toBeGreaterThan(0);
  });

  it('never pauses a busy process: the heap stays as V8 left it', async () => {
    const seen = await burstThen('busy');
    expect(seen.stats.compactions).toBe(0);
    expect(seen.compactions).toEqual([]);
    expect(seen.heapAfterBytes).toBeGreaterThan(seen.heapBeforeBytes * 0.8); // V8 alone gives nothing back
  });
});
