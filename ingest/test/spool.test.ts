import { appendFile, readdir, stat } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@gridhub/testkit';
import { isHubError } from '@gridhub/core';
import { backoffDelayMs, startDrain, Spool, type SpoolLogger, type SpoolOptions } from '../src/spool/index.ts';

interface Rec {
  n: number;
  text: string;
}

const dirs: string[] = [];
function dir(): string {
  const d = tempDir('spool');
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const quiet: SpoolLogger = { warn: () => {}, error: () => {} };

function open(d: string, extra: Partial<SpoolOptions> = {}): Promise<Spool<Rec>> {
  return Spool.open<Rec>({ dir: d, budgetBytes: 64 * 1024 * 1024, logger: quiet, ...extra });
}

function rec(n: number): Rec {
  return { n, text: `reading ${n} 烟感` };
}

/** Drains everything currently in the spool into an array, then stops the drain. */
async function drainAll(spool: Spool<Rec>, expected: number, write?: (v: Rec[]) => Promise<void>, batchSize = 1000): Promise<Rec[]> {
  const got: Rec[] = [];
  const drain = startDrain(spool, {
    batchSize,
    logger: quiet,
    minBackoffMs: 5,
    maxBackoffMs: 40,
    write: async (values) => {
      if (write) await write(values);
      got.push(...values);
    },
  });
  const deadline = Date.now() + 20_000;
  while (got.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await drain.stop();
  return got;
}

function ns(records: Rec[]): number[] {
  return records.map((r) => r.n);
}
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

describe('spool', () => {
  it('group commit: many appends in one turn share few fsyncs, and come out in order', async () => {
    const spool = await open(dir());
    const N = 5000;
    await Promise.all(range(0, N).map((n) => spool.append(rec(n))));
    const s = spool.stats();
    expect(s.appended).toBe(N);
    expect(s.depth).toBe(N);
    expect(s.fsyncs).toBeGreaterThan(0);
    expect(s.fsyncs).toBeLessThan(N / 100);
    expect(s.commitLatency.count).toBe(N);
    const got = await drainAll(spool, N);
    expect(ns(got)).toEqual(range(0, N));
    expect(spool.stats().depth).toBe(0);
    expect(spool.stats().confirmed).toBe(N);
    expect(spool.stats().confirmLatency.count).toBe(N);
    await spool.close();
  });

  it('appends spread over many turns are grouped while an fsync is in flight', async () => {
    const spool = await open(dir());
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) {
      pending.push(spool.append(rec(i)));
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pending);
    expect(spool.stats().fsyncs).toBeLessThan(2000 / 10 + 1);
    await spool.close();
  });

  it('replays unconfirmed records after reopening', async () => {
    const d = dir();
    let spool = await open(d);
    await Promise.all(range(0, 1000).map((n) => spool.append(rec(n))));
    await spool.close();
    spool = await open(d);
    expect(spool.stats().replayed).toBe(1000);
    expect(spool.stats().depth).toBe(1000);
    expect(spool.stats().oldestAgeMs).toBeGreaterThanOrEqual(0);
    const got = await drainAll(spool, 1000);
    expect(ns(got)).toEqual(range(0, 1000));
    await spool.close();
  });

  it.each([
    ['a record cut short', Buffer.concat([Buffer.from([200, 0, 0, 0, 1, 2, 3, 4]), Buffer.alloc(20, 0x41)])],
    ['a header cut short', Buffer.from([9, 0, 0])],
    ['a whole record with a bad CRC', Buffer.concat([Buffer.from([4, 0, 0, 0, 9, 9, 9, 9]), Buffer.alloc(8), Buffer.from('{"n"')])],
  ])('truncates a torn tail (%s) and keeps every whole record', async (_name, garbage) => {
    const d = dir();
    let spool = await open(d);
    await Promise.all(range(0, 100).map((n) => spool.append(rec(n))));
    await spool.close();
    const [seg] = (await readdir(d)).filter((f) => f.startsWith('seg-'));
    const file = join(d, seg!);
    const before = (await stat(file)).size;
    await appendFile(file, garbage);
    spool = await open(d);
    expect((await stat(file)).size).toBe(before);
    expect(spool.stats().replayed).toBe(100);
    await Promise.all(range(100, 150).map((n) => spool.append(rec(n))));
    const got = await drainAll(spool, 150);
    expect(ns(got)).toEqual(range(0, 150));
    await spool.close();
  });

  it('never hands out a record twice once its batch is confirmed, across reopen', async () => {
    const d = dir();
    let spool = await open(d);
    await Promise.all(range(0, 300).map((n) => spool.append(rec(n))));
    expect(ns(await drainAll(spool, 300, undefined, 100))).toEqual(range(0, 300));
    await spool.close();
    spool = await open(d);
    expect(spool.stats().replayed).toBe(0);
    await Promise.all(range(300, 350).map((n) => spool.append(rec(n))));
    expect(ns(await drainAll(spool, 50))).toEqual(range(300, 350));
    await spool.close();
  });

  it('a sink that fails for a while then recovers gets everything exactly once', async () => {
    const spool = await open(dir());
    let failuresLeft = 6;
    let calls = 0;
    const drainPromise = drainAll(spool, 3000, async () => {
      calls++;
      if (failuresLeft > 0) {
        failuresLeft--;
        throw new Error('influx down');
      }
    }, 700);
    for (let i = 0; i < 3000; i += 500) await Promise.all(range(i, i + 500).map((n) => spool.append(rec(n))));
    const got = await drainPromise;
    expect(ns(got)).toEqual(range(0, 3000));
    expect(calls).toBeGreaterThan(6);
    expect(spool.stats().confirmed).toBe(3000);
    await spool.close();
  });

  it('a batch read but never written is handed out again to the next drain', async () => {
    const spool = await open(dir());
    await Promise.all(range(0, 200).map((n) => spool.append(rec(n))));
    const failing = startDrain(spool, { logger: quiet, minBackoffMs: 5, maxBackoffMs: 10, write: () => Promise.reject(new Error('down')) });
    while (failing.stats().failures < 2) await new Promise((r) => setTimeout(r, 5));
    expect(failing.stats().lastError?.message).toBe('down');
    expect(failing.stats().backoffMs).toBeGreaterThan(0);
    await failing.stop();
    expect(ns(await drainAll(spool, 200))).toEqual(range(0, 200));
    await spool.close();
  });

  it('lingers between writes once caught up (few, larger sink writes), never while behind, and stops at once while lingering', async () => {
    const spool = await open(dir());
    const writes: { at: number; n: number }[] = [];
    // Behind: 450 records in the spool (groups of 100 and 50) before the drain starts; full batches go one after the other.
    for (let i = 0; i < 450; i += 100) await Promise.all(range(i, Math.min(450, i + 100)).map((n) => spool.append(rec(n))));
    const drain = startDrain(spool, {
      batchSize: 100,
      lingerMs: 300,
      logger: quiet,
      write: async (values) => void writes.push({ at: Date.now(), n: values.length }),
    });
    while (writes.reduce((s, w) => s + w.n, 0) < 450) await new Promise((r) => setTimeout(r, 5));
    const full = writes.filter((w) => w.n === 100);
    expect(full.length).toBe(4);
    expect(full.at(-1)!.at - full[0]!.at).toBeLessThan(600); // lingering, the four would take 900 ms or more
    // Caught up: records that trickle in (one every 10 ms) are written together, 300 ms apart.
    const before = writes.length;
    const trickleStart = Date.now();
    for (let n = 450; n < 520; n++) {
      await spool.append(rec(n));
      await new Promise((r) => setTimeout(r, 10));
    }
    while (writes.reduce((s, w) => s + w.n, 0) < 520) await new Promise((r) => setTimeout(r, 5));
    const trickled = writes.slice(before);
    // a write every 300 ms or so over the trickle (0.7 s or more), not one per record
    expect(trickled.length).toBeLessThanOrEqual(Math.ceil((Date.now() - trickleStart) / 300) + 1);
    for (let i = 1; i < trickled.length; i++) expect(trickled[i]!.at - trickled[i - 1]!.at).toBeGreaterThanOrEqual(290);
    const t = Date.now();
    await drain.stop();
    expect(Date.now() - t).toBeLessThan(100);
    expect(spool.stats().confirmed).toBe(520);
    await spool.close();
  });

  it('reports the age of the oldest unconfirmed record and the confirm latency (fake clock)', async () => {
    let clock = 1_000;
    const spool = await open(dir(), { now: () => clock });
    await spool.append(rec(1));
    clock = 3_000;
    await spool.append(rec(2));
    clock = 5_000;
    expect(spool.stats().oldestAgeMs).toBe(4_000);
    expect(spool.stats().depth).toBe(2);
    const batch = (await spool.read(1))!;
    await spool.confirm(batch);
    expect(spool.stats().oldestAgeMs).toBe(2_000);
    await spool.confirm((await spool.read(10))!);
    expect(spool.stats().oldestAgeMs).toBe(0);
    const lat = spool.stats().confirmLatency;
    expect(lat.count).toBe(2);
    expect(lat.sumMs).toBe(4_000 + 2_000);
    expect(lat.cumulative[lat.bucketsMs.indexOf(2000)]).toBe(1);
    expect(lat.cumulative[lat.bucketsMs.indexOf(5000)]).toBe(2);
    await spool.close();
  });

  it('rolls segments and deletes them once confirmed', async () => {
    const d = dir();
    const spool = await open(d, { segmentBytes: 4096 });
    for (let i = 0; i < 2000; i += 100) await Promise.all(range(i, i + 100).map((n) => spool.append(rec(n))));
    const segsBefore = (await readdir(d)).filter((f) => f.startsWith('seg-')).length;
    expect(segsBefore).toBeGreaterThan(5);
    expect(spool.stats().segments).toBe(segsBefore);
    expect(ns(await drainAll(spool, 2000, undefined, 150))).toEqual(range(0, 2000));
    const segsAfter = (await readdir(d)).filter((f) => f.startsWith('seg-')).length;
    expect(segsAfter).toBe(1);
    await spool.close();
    const again = await open(d, { segmentBytes: 4096 });
    expect(again.stats().replayed).toBe(0);
    await again.close();
  });

  it('refuses appends over its disk budget with HUB_ERR_SPOOL_FULL and warns once from 80 %', async () => {
    const warnings: string[] = [];
    const spool = await open(dir(), {
      budgetBytes: 20_000,
      segmentBytes: 2_000,
      logger: { warn: (_o, msg) => warnings.push(msg), error: () => {} },
    });
    let accepted = 0;
    let refusal: unknown = null;
    for (let i = 0; i < 1000 && !refusal; i++) {
      try {
        await spool.append(rec(i));
        accepted++;
      } catch (err) {
        refusal = err;
      }
    }
    expect(isHubError(refusal) && refusal.code).toBe('HUB_ERR_SPOOL_FULL');
    expect(accepted).toBeGreaterThan(100);
    expect(spool.stats().filling).toBe(true);
    expect(spool.stats().rejectedFull).toBe(1);
    expect(spool.stats().bytes).toBeLessThanOrEqual(20_000);
    expect(warnings.filter((w) => w.includes('80 %'))).toHaveLength(1);
    // Once the sink has taken it, the space comes back.
    expect((await drainAll(spool, accepted)).length).toBe(accepted);
    expect(spool.stats().filling).toBe(false);
    await spool.append(rec(5000));
    await spool.close();
  });
});

describe('backoffDelayMs', () => {
  it('doubles from the minimum to the cap, with at most half of it random', () => {
    const lo = () => 0;
    const hi = () => 1;
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, 100, 30_000, hi))).toEqual([100, 200, 400, 800]);
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, 100, 30_000, lo))).toEqual([50, 100, 200, 400]);
    expect(backoffDelayMs(40, 100, 30_000, hi)).toBe(30_000);
    expect(backoffDelayMs(40, 100, 30_000, lo)).toBe(15_000);
  });

  describe('a named reader (the rules engine) beside the drain', () => {
    const segments = async (d: string) => (await readdir(d)).filter((f) => f.startsWith('seg-')).length;

    it('reads by position from where its owner says; the drain deletes no segment the reader has not passed, across a restart', async () => {
      const d = dir();
      const spool = await open(d, { segmentBytes: 4096, readers: ['rules'] });
      const reader = await spool.reader('rules', null);
      for (let i = 0; i < 1000; i += 100) await Promise.all(range(i, i + 100).map((n) => spool.append(rec(n))));
      expect(reader.backlog()).toBe(1000);
      // The drain confirms everything; the reader only its first 300.
      expect(ns(await drainAll(spool, 1000))).toEqual(range(0, 1000));
      const got: Rec[] = [];
      let at = null as null | { segment: number; offset: number };
      while (got.length < 300) {
        const b = (await reader.read(300 - got.length))!;
        got.push(...b.values);
        await reader.confirm(b);
        at = b.end;
      }
      expect(ns(got)).toEqual(range(0, 300));
      expect(reader.backlog()).toBe(700);
      expect(await segments(d)).toBeGreaterThan(3);
      // A crash: the owner's cursor says 300; the spool kept the rest for it.
      await spool.close();
      const again = await open(d, { segmentBytes: 4096, readers: ['rules'] });
      expect(again.stats().replayed).toBe(0); // the drain has nothing to replay
      const r2 = await again.reader('rules', at);
      expect(r2.backlog()).toBe(700);
      const rest: Rec[] = [];
      while (rest.length < 700) {
        const b = (await r2.read(1000))!;
        rest.push(...b.values);
        await r2.confirm(b);
      }
      expect(ns(rest)).toEqual(range(300, 1000));
      expect(r2.backlog()).toBe(0);
      expect(await segments(d)).toBe(1); // both passed everything: only the open segment is left
      await again.close();
    });

    it('a rewound reader hands its unconfirmed batch out again; a read waits for the next durable record', async () => {
      const spool = await open(dir(), { readers: ['rules'] });
      const reader = await spool.reader('rules', null);
      await Promise.all(range(0, 5).map((n) => spool.append(rec(n))));
      expect(ns((await reader.read(10))!.values)).toEqual(range(0, 5));
      reader.rewind();
      const b = (await reader.read(10))!;
      expect(ns(b.values)).toEqual(range(0, 5));
      await reader.confirm(b);
      const next = reader.read(10);
      await spool.append(rec(5));
      expect(ns((await next)!.values)).toEqual([5]);
      reader.close();
      await spool.close();
    });

    it('refuses a reader that was not declared at open', async () => {
      const spool = await open(dir());
      await expect(spool.reader('rules', null)).rejects.toMatchObject({ code: 'HUB_ERR_CONFIG' });
      await spool.close();
    });
  });
});
